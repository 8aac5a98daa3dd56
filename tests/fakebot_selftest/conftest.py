"""Fixtures for checking the fake Bot API: a running fake, an aiogram Bot on it, a citizen, an HTTP session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI, TelegramCitizen
from tests.fakebot_selftest.clients import aiogram_bot


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(DEFAULT_TOKEN) as fake:
        yield fake
        assert not fake.internal_errors


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    client = aiogram_bot(api)
    yield client
    await client.session.close()


@pytest.fixture
def citizen(api: FakeBotAPI) -> TelegramCitizen:
    return TelegramCitizen(api, user_id=1001)


