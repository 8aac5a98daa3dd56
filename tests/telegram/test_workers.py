"""Two webhook workers, one Redis: every answer handled exactly once, in order, whoever receives it."""

from __future__ import annotations

import asyncio

from tests.botprocess import ON_PTB, BotFactory
from tests.citizen import BIRTH, ID_NUMBER, NAME
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI

pytestmark = ON_PTB


async def test_duplicated_updates_at_two_workers_are_handled_once_in_order(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    first = await start_bot(webhook=True)
    second = await start_bot(webhook=True)
    secret = fake_api.calls_to("setWebhook")[-1].params["secret_token"]
    citizen = TelegramCitizen(fake_api, user_id=2001, language_code="en")
    answers = [
        citizen.command_update("/start"),
        citizen.press_update("consent:agree"),
        citizen.press_update("subject:citizen"),
        citizen.press_update("method:mobile"),
        citizen.text_update(ID_NUMBER),
        citizen.text_update(NAME),
        citizen.text_update(BIRTH),
    ]
    for update in answers:
        # Telegram re-delivers: the same update_id reaches both workers at once.
        statuses = await asyncio.gather(
            fake_api.deliver_webhook(first.webhook_url, update, secret),
            fake_api.deliver_webhook(second.webhook_url, update, secret),
        )
        assert statuses == [200, 200]
    # A webhook is answered once its update is saved; the paced replies follow.
    await fake_api.wait_until(lambda: True if any("Step 4/8" in m["text"] for m in citizen.sent_to_me()) else None, 10)
    replies = [message["text"] for message in citizen.sent_to_me()]
    assert len(replies) == len(answers)  # once each, not twice
    for reply, expected in zip(replies[3:], ("Step 1/8", "Step 2/8", "Step 3/8", "Step 4/8"), strict=True):
        assert expected in reply
