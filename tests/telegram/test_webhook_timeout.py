"""Telegram sends an update again when the webhook call has not answered in time (60 s: here, 2), though
the first call is still under way — sending its answer through a long flood wait. The answer is kept for
a worker that died before sending it; this one did not, so the citizen reads it once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.botprocess import TOKEN, BotFactory
from tests.citizen import ID_NUMBER
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import start_registration


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(TOKEN, webhook_attempts=5, webhook_timeout=2) as api:
        yield api


async def test_an_update_sent_again_while_its_answer_waits_out_a_flood_limit_is_answered_once(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot(webhook=True)
    citizen = TelegramCitizen(fake_api, user_id=7001)
    await start_registration(citizen)
    fake_api.fail_next("sendMessage", 429, retry_after=5)  # longer than Telegram waits for the webhook
    await citizen.send_text(ID_NUMBER)
    await citizen.wait_for_reply("Bước 2/8", timeout=20)
    await fake_api.flush_webhook(timeout=20)
    assert fake_api.updates.webhook is not None and fake_api.updates.webhook.last_error_date  # it was sent again
    assert sum("Bước 2/8" in message.get("text", "") for message in citizen.sent_to_me()) == 1
