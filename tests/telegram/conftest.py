"""Fixtures the Telegram tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.frameworks import make_adapter
from tests.botprocess import TOKEN
from tests.fakebot.server import FakeBotAPI


@pytest.fixture
async def adapter(fake_api: FakeBotAPI, framework: str) -> AsyncIterator[TelegramAdapter]:
    """The test's framework's adapter, talking HTTP to the fake Bot API."""
    made = make_adapter(framework, TOKEN, fake_api.base_url)  # type: ignore[arg-type]  # "aiogram" or "ptb"
    await made.me()  # python-telegram-bot's client works once initialised
    yield made
    await made.close()
