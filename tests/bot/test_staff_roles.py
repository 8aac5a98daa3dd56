"""Staff see only what their role allows, in process with the fake Bot API (wired as in
test_cross_channel_desk): `/reveal` is the staff group's administrators', audited before anything is shown
(refusals too), and a code or password inside a citizen's sentence reaches staff hidden."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from bot.core.incoming import Incoming
from bot.helpdesk.audit import AuditLog, Entry
from bot.storage import DialogKey
from bot.storage.keys import AUDIT_STREAM
from conversations.events import Command, Said
from tests.bot import test_cross_channel_desk as cross
from tests.citizen import ID_NUMBER
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import TelegramStaff

desk = cross.desk  # the composition root over the fake Bot API, a forum group and another channel
Desk = cross.Desk


async def deliver(desk: Desk, update: dict[str, Any]) -> None:
    """One update handled to its end, as the webhook would: Telegram's side of it is known to the fake first."""
    desk.group.api.claim(update)
    await desk.bot.front.on_update(desk.parse(update))


async def with_staff(desk: Desk, citizen: TelegramCitizen) -> int:
    """A Telegram citizen who gave their ID number asks for a person: their case's topic."""
    await deliver(desk, citizen.command_update("/start"))
    for button in ("Tôi đồng ý", "Công dân", "Thuê bao di động"):
        await deliver(desk, citizen.press_update(button))
    await deliver(desk, citizen.text_update(ID_NUMBER))
    await deliver(desk, citizen.command_update("/human"))
    return await desk.group.wait_for_topic()


def topic_texts(desk: Desk, topic: int) -> list[str]:
    return [str(message.get("text") or "") for message in desk.group.messages(topic)]


def private_texts(staff: TelegramStaff) -> str:
    return "\n".join(str(message.get("text") or "") for message in staff.private.sent_to_me())


async def trail(redis: Redis) -> list[tuple[str, str, str]]:
    entries: list[Entry] = await AuditLog(redis).entries()
    return [(entry.action, entry.actor, entry.detail) for entry in entries]


async def test_only_the_staff_groups_administrators_may_reveal_and_every_attempt_is_audited(
    fake_api: FakeBotAPI, desk: Desk, redis: Redis,
) -> None:
    group = desk.group
    member = TelegramStaff(fake_api, group, 502, "Lan")
    admin = TelegramStaff(fake_api, group, 501, "Minh", status="administrator")
    creator = TelegramStaff(fake_api, group, 504, "Hoa", status="creator")
    topic = await with_staff(desk, TelegramCitizen(fake_api, user_id=1001))

    await deliver(desk, member.message_update(topic, "Chào anh"))  # the member claims the case
    await deliver(desk, member.message_update(topic, "/reveal id"))
    assert any("Chỉ quản trị viên" in text for text in topic_texts(desk, topic))
    assert ID_NUMBER not in private_texts(member)

    await deliver(desk, creator.message_update(topic, "/reveal id"))  # an administrator, but not the assignee
    assert ID_NUMBER not in private_texts(creator)

    await deliver(desk, admin.message_update(topic, "/take"))
    await deliver(desk, admin.message_update(topic, "/reveal shoe size"))
    await deliver(desk, admin.message_update(topic, "/reveal id"))
    assert ID_NUMBER in private_texts(admin)
    assert any("Minh đã xem số định danh" in text for text in topic_texts(desk, topic))

    actions = [entry for entry in await trail(redis) if entry[0] not in ("handoff", "claim", "take")]
    assert actions == [
        ("reveal_refused", "staff:502", "not admin: id_number"),
        ("reveal_refused", "staff:504", "not assignee: id_number"),
        ("reveal_refused", "staff:501", "unknown field"),
        ("reveal", "staff:501", "id_number"),
    ]
    assert ID_NUMBER not in str(await trail(redis))
    asked = [call.params["user_id"] for call in fake_api.calls_to("getChatMember")]
    assert sorted(asked) == [501, 502, 504]  # membership and role from one cached status a person


async def test_nothing_is_revealed_when_the_audit_cannot_be_written(
    fake_api: FakeBotAPI, desk: Desk, redis: Redis,
) -> None:
    admin = TelegramStaff(fake_api, desk.group, 501, "Minh", status="administrator")
    topic = await with_staff(desk, TelegramCitizen(fake_api, user_id=1002))
    await deliver(desk, admin.message_update(topic, "/take"))

    await redis.delete(AUDIT_STREAM)
    await redis.set(AUDIT_STREAM, "not a stream")  # every XADD to it now fails (WRONGTYPE)
    await deliver(desk, admin.message_update(topic, "/reveal id"))

    assert ID_NUMBER not in private_texts(admin)
    assert any("Chưa hiển thị gì" in text for text in topic_texts(desk, topic))
    assert not any("đã xem" in text for text in topic_texts(desk, topic))


async def test_a_code_or_password_inside_a_sentence_reaches_staff_hidden(fake_api: FakeBotAPI, desk: Desk) -> None:
    citizen = TelegramCitizen(fake_api, user_id=1003)
    topic = await with_staff(desk, citizen)

    secret = citizen.text_update("mk: Abc@12345 mà không đăng nhập được")
    await deliver(desk, secret)
    await deliver(desk, citizen.text_update("Tôi không nhận được tin nhắn"))  # nothing secret: copied as it is

    assert topic_texts(desk, topic)[-2:] == ["mk: ****** mà không đăng nhập được", "Tôi không nhận được tin nhắn"]
    assert not any("Abc@12345" in text for text in topic_texts(desk, topic))
    deleted = [message["message_id"] for message in fake_api.deleted_messages(citizen.chat_id)]
    assert secret["message"]["message_id"] in deleted  # the password is not left in the citizen's chat
    assert any("đã che mã OTP hoặc mật khẩu" in str(message.get("text")) for message in citizen.sent_to_me())

    other = DialogKey(cross.CHANNEL, "z-2001", "z-2001")  # a citizen of a channel with no message to copy
    await desk.bot.switchboard.handle(Incoming(other, Command("start")))
    await desk.bot.switchboard.handle(Incoming(other, Command("human")))
    other_topic = await desk.group.wait_for_topic()
    await desk.bot.switchboard.handle(Incoming(other, Said("OTP la 654321, sao không được?")))
    assert topic_texts(desk, other_topic)[-1] == "OTP la ******, sao không được?"
