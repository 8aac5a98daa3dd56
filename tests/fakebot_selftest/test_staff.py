"""Help desk staff in a forum group: their updates parse in aiogram and PTB, they read and tap the bot's posts."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.fakebot import FakeBotAPI, ForumGroup, TelegramCitizen, TelegramStaff
from tests.fakebot_selftest.clients import parsed

CLAIM = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Nhận", callback_data="claim:1001")]])


@pytest.fixture
def desk(api: FakeBotAPI) -> ForumGroup:
    return ForumGroup(api)


@pytest.fixture
def staff(api: FakeBotAPI, desk: ForumGroup) -> TelegramStaff:
    return TelegramStaff(api, desk, user_id=2001, first_name="Lan", username="lan_hotro")


async def topic(bot: Bot, desk: ForumGroup, name: str = "An · 1001") -> int:
    return (await bot.create_forum_topic(desk.chat_id, name)).message_thread_id


async def test_staff_messages_are_topic_messages(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff,
) -> None:
    thread = await topic(bot, desk)
    await staff.send_text(thread, "Chào anh An")
    first = staff.last_message_id
    await staff.send_command(thread, "/close@regbot_test_bot", reply_to=first)
    await staff.send_photo(thread, "Ảnh CCCD")
    await staff.send_document(thread, "to-khai.pdf", caption="Tờ khai")
    assert first is not None
    await staff.edit(first, "Chào anh An!")
    text, command, photo, document, edited = await bot.get_updates()
    for update in (text, command, photo, document):
        message = update.message
        assert message and message.chat.id == desk.chat_id and message.chat.is_forum
        assert message.is_topic_message and message.message_thread_id == thread
        assert message.from_user and message.from_user.id == staff.user_id == 2001
        assert message.reply_to_message is not None
    assert text.message and text.message.reply_to_message and text.message.reply_to_message.forum_topic_created
    assert command.message and command.message.entities and command.message.entities[0].type == "bot_command"
    assert command.message.entities[0].length == len("/close@regbot_test_bot")
    assert command.message.reply_to_message and command.message.reply_to_message.message_id == first
    assert photo.message and photo.message.photo and photo.message.caption == "Ảnh CCCD"
    assert document.message and document.message.document and document.message.document.file_name == "to-khai.pdf"
    assert document.message.document.mime_type == "application/pdf"
    assert edited.edited_message and edited.edited_message.text == "Chào anh An!"
    assert edited.edited_message.message_thread_id == thread and edited.edited_message.edit_date
    assert [m.get("text") for m in desk.messages(thread)][1] == "Chào anh An!"
    with pytest.raises(AssertionError, match="no topic 999"):
        await staff.send_text(999, "?")


async def test_staff_updates_parse_in_ptb(api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff) -> None:
    thread = await topic(bot, desk)
    sent = await bot.send_message(desk.chat_id, "Công dân cần giúp", message_thread_id=thread, reply_markup=CLAIM)
    shown = api.message(desk.chat_id, sent.message_id)
    assert shown is not None
    updates = [staff.message_update(thread, "/assist"), staff.press_update("Nhận", shown)]
    message, press = (telegram.Update.de_json(update, None) for update in updates)
    assert message.message and message.message.is_topic_message and message.message.message_thread_id == thread
    assert message.message.chat.is_forum and message.message.text == "/assist"
    assert press.callback_query and press.callback_query.data == "claim:1001"
    assert isinstance(press.callback_query.message, telegram.Message)
    assert press.callback_query.message.message_thread_id == thread


async def test_staff_wait_for_posts_per_topic_and_press_buttons(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff, citizen: TelegramCitizen,
) -> None:
    first, second = await topic(bot, desk), await topic(bot, desk, "Bình · 1002")
    await citizen.send_text("Tôi cần giúp")
    assert citizen.last_message_id is not None
    await bot.send_message(desk.chat_id, "Hai", message_thread_id=second, reply_markup=CLAIM)
    await bot.copy_message(desk.chat_id, citizen.chat_id, citizen.last_message_id, message_thread_id=first)
    await bot.send_message(desk.chat_id, "Một", message_thread_id=first, reply_markup=CLAIM)
    assert (await staff.wait_for_post(first))["text"] == "Tôi cần giúp"  # the copy
    assert (await staff.wait_for_post(second))["text"] == "Hai"  # each topic is read on its own
    assert (await staff.wait_for_post(first, "Một"))["text"] == "Một"
    with pytest.raises(AssertionError, match="no message to topic 1 of chat"):
        await staff.wait_for_post(first, timeout=0.05)
    assert [m["text"] for m in staff.posts(first)] == ["Tôi cần giúp", "Một"]  # no service message
    assert staff.buttons(second) == ["Nhận"]
    await staff.press("Nhận", thread_id=second)
    await staff.press("claim:1001")  # the latest in the group: topic `first`
    presses = [u.callback_query for u in await bot.get_updates() if u.callback_query]
    assert [q.message.message_thread_id for q in presses if isinstance(q.message, Message)] == [second, first]
    assert all(q.data == "claim:1001" and q.from_user.id == staff.user_id for q in presses)
    assert staff.last_callback_id == presses[-1].id
    with pytest.raises(AssertionError, match="no button 'Trả lại' in topic 1"):
        await staff.press("Trả lại", thread_id=first, timeout=0.05)
    reply_task = asyncio.create_task(staff.wait_for_post(second, "Đã nhận"))
    await staff.send_text(second, "Tôi nhận")
    await bot.send_message(desk.chat_id, "Đã nhận", message_thread_id=second)
    assert (await reply_task)["text"] == "Đã nhận"


async def test_staff_act_in_the_telegram_app(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff,
) -> None:
    admin = TelegramStaff(api, desk, user_id=2002, first_name="Minh", status="administrator")
    thread = await staff.create_topic("Ghi chú")
    await staff.close_topic(thread)
    created, closed = await bot.get_updates()
    assert created.message and created.message.forum_topic_created and created.message.message_thread_id == thread
    assert closed.message and closed.message.forum_topic_closed is not None
    assert desk.topics()[thread]["closed"] and desk.topics()[thread]["name"] == "Ghi chú"
    with pytest.raises(AssertionError, match="only admins"):
        await staff.send_text(thread, "Còn gì không?")
    await admin.send_text(thread, "Còn")  # admins still write in closed topics
    await staff.reopen_topic(thread)
    assert not desk.topics()[thread]["closed"]
    await staff.delete_topic(thread)
    assert desk.topics()[thread]["deleted"] and desk.messages(thread) == []
    with pytest.raises(AssertionError, match="no topic"):
        await staff.send_text(thread, "?")


async def test_the_bot_sees_a_topic_appear(bot: Bot, desk: ForumGroup) -> None:
    waiting = asyncio.create_task(desk.wait_for_topic("1001"))
    await asyncio.sleep(0.01)
    await topic(bot, desk, "Bình · 1002")
    thread = await topic(bot, desk, "An · 1001")
    assert await waiting == thread
    with pytest.raises(AssertionError, match="no topic named like '1003'"):
        await desk.wait_for_topic("1003", timeout=0.05)


async def test_staff_have_a_private_chat_with_the_bot(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff,
) -> None:
    await staff.private.send_command("/assist")
    (update,) = await bot.get_updates()
    assert update.message and update.message.chat.type == "private" and update.message.chat.id == staff.user_id
    assert update.message.from_user and update.message.from_user.username == "lan_hotro"
    await bot.send_message(staff.user_id, "Bạn đang trực")
    assert (await staff.private.wait_for_reply())["text"] == "Bạn đang trực"
    assert (await bot.get_chat_member(desk.chat_id, staff.user_id)).status == "member"
    assert (await bot.get_chat_member(desk.chat_id, api.bot_id)).status == "administrator"


async def test_citizens_send_documents(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    document = parsed(citizen.document_update("giay-khai-sinh.pdf", caption="Giấy khai sinh"), bot).message
    assert document and document.document and document.document.mime_type == "application/pdf"
    assert document.caption == "Giấy khai sinh"
    file = await bot.get_file(document.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read().startswith(b"%PDF")
    await citizen.send_document("anh.png", content=b"\x89PNG")
    (update,) = await bot.get_updates()
    assert update.message and update.message.document and update.message.document.mime_type == "image/png"
