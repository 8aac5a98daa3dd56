"""The phone step as the citizen sees it, on both frameworks: the contact keyboard, and what follows it.

The "share my phone number" keyboard is one-time: the citizen's app hides
it once pressed, so the email question that follows comes as one message
with its "Skip" button. A number typed leaves the keyboard in sight, and a
message of its own takes it away first (a message carries one keyboard).
"""

from __future__ import annotations

import pytest

from tests.botprocess import BOTH, BotFactory
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE, PHONE_E164
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import start_registration

pytestmark = BOTH

SKIP = "Bỏ qua (không có email)"


async def at_the_phone_step(citizen: TelegramCitizen) -> int:
    """From /start to the phone question; answers how many messages the bot had sent the citizen by then."""
    await start_registration(citizen)
    for answer, next_step in ((ID_NUMBER, "Bước 2/8"), (NAME, "Bước 3/8"), (BIRTH, "Bước 4/8")):
        await citizen.send_text(answer)
        await citizen.wait_for_reply(next_step)
    keyboard = citizen.reply_keyboard_in_sight()
    assert keyboard is not None and keyboard["keyboard"][0][0]["request_contact"] is True
    return len(citizen.sent_to_me())


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_a_shared_number_is_answered_by_the_email_question_alone_with_its_skip_button(
    fake_api: FakeBotAPI, start_bot: BotFactory, webhook: bool,
) -> None:
    await start_bot(webhook=webhook)
    citizen = TelegramCitizen(fake_api, user_id=1201 + webhook)
    before = await at_the_phone_step(citizen)
    await citizen.share_contact(PHONE_E164)
    question = await citizen.wait_for_reply("Bước 5/8")
    assert "email" in question["text"]
    assert citizen.buttons() == [SKIP]
    assert citizen.reply_keyboard_in_sight() is None  # the app hid it when it was pressed
    await citizen.press(SKIP)
    review = await citizen.wait_for_reply("Bước 6/8")
    assert [message["message_id"] for message in citizen.sent_to_me()[before:]] == \
        [question["message_id"], review["message_id"]]  # one message for the phone's answer, one for the skip
    assert citizen.reply_keyboard() is not None  # still a tap away, until a message without buttons
    await citizen.press("Sửa họ tên")
    await citizen.wait_for_reply("Bước 2/8")
    assert citizen.reply_keyboard() is None  # …takes it away, at no cost
    await citizen.send_text(NAME)
    await citizen.wait_for_reply("Bước 6/8")


async def test_a_typed_number_first_takes_the_contact_keyboard_away(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1211)
    before = await at_the_phone_step(citizen)
    await citizen.send_text(PHONE)
    question = await citizen.wait_for_reply("email")
    assert citizen.reply_keyboard() is None
    assert citizen.buttons() == [SKIP]
    header, shown = citizen.sent_to_me()[before:]
    assert header["text"] == "Bước 5/8" and "reply_markup" not in header
    assert shown["message_id"] == question["message_id"]
    await citizen.press(SKIP)
    await citizen.wait_for_reply("Bước 6/8")
