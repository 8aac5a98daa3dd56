"""A citizen of another channel (one with no message to copy, as Zalo will be) served by staff on Telegram.

In process, wired by the composition root itself: the help desk knows the
citizen by their channel-qualified dialog key, relays their words into a
forum topic of the fake Bot API, and sends a staff member's words back out
through the citizen's own channel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.app.compose import TelegramBot, telegram_bot
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.channels.telegram.frameworks import make_adapter
from bot.core.incoming import Incoming
from bot.storage import DialogKey
from conversations.events import Command, Said
from tests.botprocess import TOKEN
from tests.channels import TextChannel
from tests.citizen import Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import ForumGroup, TelegramStaff

CHANNEL = "zalo:test"


@dataclass(frozen=True, slots=True)
class Desk:
    bot: TelegramBot
    group: ForumGroup
    other: TextChannel
    parse: Any  # the framework's reading of an update's JSON, as the webhook calls it


@pytest.fixture
async def desk(
    fake_api: FakeBotAPI, redis_url: str, redis: object, sandbox: Sandbox, tmp_path: Path,
) -> AsyncIterator[Desk]:
    group = ForumGroup(fake_api)
    settings = Settings(
        _env_file=None, redis_url=redis_url, portal_url=sandbox.url, data_dir=tmp_path,  # type: ignore[call-arg]
        dialog_encryption_key=Fernet.generate_key().decode(), telegram_api_url=fake_api.base_url,
        staff_chat_id=group.chat_id, telegram_chat_interval=0.0, telegram_group_rate=6000, default_language="en")
    adapter = make_adapter("ptb", TOKEN, fake_api.base_url)
    other = TextChannel()
    try:
        async with running(settings) as runtime:
            bot = telegram_bot(settings, runtime, adapter, await adapter.me(), TOKEN, {CHANNEL: other})
            yield Desk(bot, group, other, adapter.parse_update)
    finally:
        await adapter.close()


async def test_a_citizen_of_another_channel_is_served_by_staff_in_telegram(fake_api: FakeBotAPI, desk: Desk) -> None:
    bot, group, other = desk.bot, desk.group, desk.other
    citizen = DialogKey(CHANNEL, "z-1001", "z-1001")
    staff = TelegramStaff(fake_api, group, 501, "Lan")

    await bot.switchboard.handle(Incoming(citizen, Command("start")))
    await bot.switchboard.handle(Incoming(citizen, Command("human")))
    topic = await group.wait_for_topic()
    assert any("passing you to a person from the help desk" in text for text in other.said)

    await bot.switchboard.handle(Incoming(citizen, Said("The code never arrived")))
    assert "The code never arrived" in [message.get("text") for message in group.messages(topic)]

    await bot.front.on_update(desk.parse(staff.message_update(topic, "Hello, I am looking at it")))
    assert other.said[-2:] == ["A staff member from the help desk is now with you in this chat.",
                               "Hello, I am looking at it"]


async def test_a_staff_message_to_a_telegram_citizen_who_blocked_the_bot_comes_back_to_staff(
    fake_api: FakeBotAPI, desk: Desk,
) -> None:
    bot, group = desk.bot, desk.group
    citizen = TelegramCitizen(fake_api, user_id=1001, language_code="en")
    staff = TelegramStaff(fake_api, group, 501, "Lan")
    await bot.front.on_update(desk.parse(citizen.command_update("/start")))
    await bot.front.on_update(desk.parse(citizen.command_update("/human")))
    topic = await group.wait_for_topic()

    async def staff_says(text: str) -> None:
        update = staff.message_update(topic, text)
        fake_api.claim(update)  # in the group, as Telegram has it, for the bot to copy
        await bot.front.on_update(desk.parse(update))

    await staff_says("Hello, I am looking at it")
    assert "Hello, I am looking at it" in [message.get("text") for message in citizen.sent_to_me()]
    fake_api.blocked_users.add(citizen.user_id)
    await staff_says("Are you still there?")
    note = str(group.messages(topic)[-1].get("text"))
    assert note.startswith("Chưa gửi được: công dân đã rời cuộc trò chuyện") and "chặn bot" in note  # STAFF_LANGUAGE
    await staff_says("/close")  # the case is closed all the same; what the assistant would have said comes back
    notes = [str(message.get("text")) for message in group.messages(topic) if message.get("text")]
    assert notes[-2] == "Hồ sơ #1 đã được Lan đóng."
    assert notes[-1].startswith("Công dân chưa được báo việc này: họ đã rời cuộc trò chuyện")
    assert group.topics()[topic]["closed"]
