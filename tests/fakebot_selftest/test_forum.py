"""Forum topics in the fake Bot API, checked with real aiogram and python-telegram-bot clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import telegram
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, ReplyParameters

from tests.fakebot import FakeBotAPI, ForumGroup, TelegramCitizen, TelegramStaff
from tests.fakebot_selftest.clients import ptb_bot


@pytest.fixture
def desk(api: FakeBotAPI) -> ForumGroup:
    return ForumGroup(api)


@pytest.fixture
def staff(api: FakeBotAPI, desk: ForumGroup) -> TelegramStaff:
    return TelegramStaff(api, desk, user_id=2001, first_name="Lan")


async def test_topics_live_only_in_forums(api: FakeBotAPI, bot: Bot, desk: ForumGroup) -> None:
    api.add_chat({"id": -1009876543210, "type": "supergroup", "title": "Chat"})
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-1009876543210, "An · 1001")
    topic = await bot.create_forum_topic(desk.chat_id, "An · 1001", icon_custom_emoji_id="5368324170671202286")
    assert api.topics(desk.chat_id) == {topic.message_thread_id: {
        "name": "An · 1001", "icon_color": 7322096, "icon_custom_emoji_id": "5368324170671202286",
        "closed": False, "deleted": False}}
    (opening,) = desk.messages(topic.message_thread_id)
    assert opening["forum_topic_created"]["name"] == "An · 1001" and api.sent == []  # a service message
    with pytest.raises(TelegramBadRequest, match="TOPIC_TITLE_INVALID"):
        await bot.create_forum_topic(desk.chat_id, "x" * 129)


async def test_topics_are_edited_closed_reopened_and_deleted(api: FakeBotAPI, bot: Bot, desk: ForumGroup) -> None:
    thread = (await bot.create_forum_topic(desk.chat_id, "An · 1001")).message_thread_id
    assert await bot.edit_forum_topic(desk.chat_id, thread, name="An · 1001 · CCCD", icon_custom_emoji_id="42")
    assert api.topics(desk.chat_id)[thread] == {"name": "An · 1001 · CCCD", "icon_color": 7322096,
                                                "icon_custom_emoji_id": "42", "closed": False, "deleted": False}
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(desk.chat_id, thread, name="An · 1001 · CCCD")
    assert await bot.close_forum_topic(desk.chat_id, thread)
    assert api.topics(desk.chat_id)[thread]["closed"]
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(desk.chat_id, thread)
    assert await bot.reopen_forum_topic(desk.chat_id, thread)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.reopen_forum_topic(desk.chat_id, thread)
    events = [next(key for key in m if key.startswith("forum_topic_")) for m in desk.messages(thread)]
    assert events == ["forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened"]
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.close_forum_topic(desk.chat_id, 999)


async def test_deleting_a_topic_deletes_everything_in_it(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, staff: TelegramStaff,
) -> None:
    thread = (await bot.create_forum_topic(desk.chat_id, "An · 1001")).message_thread_id
    other = (await bot.create_forum_topic(desk.chat_id, "Bình · 1002")).message_thread_id
    posted = await bot.send_message(desk.chat_id, "Công dân cần giúp", message_thread_id=thread)
    await staff.send_text(thread, "Tôi nhận")
    await bot.send_message(desk.chat_id, "Chung")  # the General topic
    assert await bot.delete_forum_topic(desk.chat_id, thread)
    assert api.topics(desk.chat_id)[thread]["deleted"] and desk.messages(thread) == []
    gone = {m["message_id"] for m in api.deleted_messages(desk.chat_id)}
    assert {thread, posted.message_id, staff.last_message_id} == gone
    assert [m.get("text") for m in api.chat_messages(desk.chat_id)] == [None, "Chung"]  # the other topic stays
    for delete_again in (bot.delete_forum_topic, bot.close_forum_topic):
        with pytest.raises(TelegramBadRequest, match="message thread not found"):
            await delete_again(desk.chat_id, thread)
    api.delete_topic(desk.chat_id, other)  # as a staff member in the Telegram app
    assert api.topics(desk.chat_id)[other]["deleted"]
    with pytest.raises(ValueError, match="no topic"):
        api.delete_topic(desk.chat_id, other)


async def test_posts_into_a_missing_or_closed_topic_are_refused(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup, citizen: TelegramCitizen,
) -> None:
    thread = (await bot.create_forum_topic(desk.chat_id, "An · 1001")).message_thread_id
    await citizen.send_text("Tôi cần giúp")
    assert citizen.last_message_id is not None
    photo = BufferedInputFile(b"\xff\xd8jpeg", "anh.jpg")
    document = BufferedInputFile(b"%PDF-1.4", "to-khai.pdf")
    attempts: dict[str, Callable[[int], Awaitable[object]]] = {
        "sendMessage": lambda t: bot.send_message(desk.chat_id, "x", message_thread_id=t),
        "sendPhoto": lambda t: bot.send_photo(desk.chat_id, photo, message_thread_id=t),
        "sendDocument": lambda t: bot.send_document(desk.chat_id, document, message_thread_id=t),
        "copyMessage": lambda t: bot.copy_message(desk.chat_id, citizen.chat_id, citizen.last_message_id or 0,
                                                  message_thread_id=t),
        "forwardMessage": lambda t: bot.forward_message(desk.chat_id, citizen.chat_id, citizen.last_message_id or 0,
                                                        message_thread_id=t),
    }
    for attempt in attempts.values():
        with pytest.raises(TelegramBadRequest, match="message thread not found"):
            await attempt(999)
    api.close_topic(desk.chat_id, thread)  # a staff member closed it in the Telegram app
    for attempt in attempts.values():
        with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
            await attempt(thread)
    api.reopen_topic(desk.chat_id, thread)
    for attempt in attempts.values():
        await attempt(thread)
    assert [m["message_thread_id"] for m in api.sent] == [thread] * len(attempts)
    assert all(api.calls_to(method)[-1].ok for method in attempts)
    api.delete_topic(desk.chat_id, thread)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(desk.chat_id, "x", message_thread_id=thread)


async def test_messages_in_a_topic_reply_to_its_opening_and_replies_stay_in_their_topic(
    api: FakeBotAPI, bot: Bot, desk: ForumGroup,
) -> None:
    thread = (await bot.create_forum_topic(desk.chat_id, "An · 1001")).message_thread_id
    posted = await bot.send_message(desk.chat_id, "Công dân cần giúp", message_thread_id=thread)
    assert posted.is_topic_message and posted.message_thread_id == thread
    assert posted.reply_to_message and posted.reply_to_message.forum_topic_created  # as Telegram does
    answer = await bot.send_message(desk.chat_id, "Đã xử lý", reply_parameters=ReplyParameters(
        message_id=posted.message_id))
    assert answer.message_thread_id == thread and answer.reply_to_message
    assert answer.reply_to_message.message_id == posted.message_id
    general = await bot.send_message(desk.chat_id, "Chung")
    assert general.message_thread_id is None and general.reply_to_message is None


async def test_ptb_manages_topics_too(api: FakeBotAPI, desk: ForumGroup) -> None:
    async with ptb_bot(api) as bot:
        topic = await bot.create_forum_topic(desk.chat_id, "An · 1001", icon_custom_emoji_id="42")
        thread = topic.message_thread_id
        sent = await bot.send_message(desk.chat_id, "Công dân cần giúp", message_thread_id=thread)
        assert sent.is_topic_message and sent.message_thread_id == thread
        assert await bot.edit_forum_topic(desk.chat_id, thread, name="An · 1001 · xong")
        assert await bot.edit_forum_topic(desk.chat_id, thread, icon_custom_emoji_id="")  # removes the icon
        # (aiogram leaves an empty icon_custom_emoji_id out, so only PTB can remove an icon this way)
        assert await bot.close_forum_topic(desk.chat_id, thread)
        with pytest.raises(telegram.error.BadRequest, match="Topic_closed"):
            await bot.send_message(desk.chat_id, "x", message_thread_id=thread)
        with pytest.raises(telegram.error.BadRequest, match="Topic_not_modified"):
            await bot.close_forum_topic(desk.chat_id, thread)
        assert await bot.delete_forum_topic(desk.chat_id, thread)
        with pytest.raises(telegram.error.BadRequest, match="Message thread not found"):
            await bot.reopen_forum_topic(desk.chat_id, thread)
    assert api.topics(desk.chat_id)[thread] == {"name": "An · 1001 · xong", "icon_color": 7322096,
                                                "icon_custom_emoji_id": None, "closed": True, "deleted": True}
