"""The fake Bot API, checked with a real aiogram Bot: what aiogram sends is understood, what it answers parses."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    ChatMemberAdministrator,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)
from aiohttp import web

from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI, TelegramCitizen, Upload
from tests.fakebot_selftest.clients import aiogram_bot, parsed

CONSENT = InlineKeyboardMarkup(inline_keyboard=[[
    InlineKeyboardButton(text="Tôi đồng ý", callback_data="consent:agree"),
    InlineKeyboardButton(text="Không", callback_data="consent:refuse"),
]])


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "regbot_test_bot")


async def test_a_message_with_an_inline_keyboard_round_trips(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    sent = await bot.send_message(citizen.chat_id, "Bạn đồng ý chứ?", reply_markup=CONSENT)
    assert sent.message_id > 0 and sent.chat.type == "private" and sent.from_user and sent.from_user.is_bot
    assert sent.reply_markup is not None and sent.reply_markup.model_dump() == CONSENT.model_dump()
    (call,) = api.calls_to("sendMessage")
    assert call.ok and call.params["chat_id"] == citizen.chat_id  # typed, though aiogram posts a form
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "consent:agree"
    reply = await citizen.wait_for_reply("đồng ý")
    assert reply["message_id"] == sent.message_id
    assert citizen.buttons() == ["Tôi đồng ý", "Không"]
    assert citizen.last_keyboard_message() == reply


async def test_a_press_is_a_callback_query_aiogram_parses_and_answers_once(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    sent = await bot.send_message(citizen.chat_id, "Bạn đồng ý chứ?", reply_markup=CONSENT)
    await citizen.press("Tôi đồng ý")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "consent:agree" and query.from_user.id == citizen.user_id
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="OK")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(AssertionError, match="no button"):
        await citizen.press("Có", timeout=0.05)


async def test_edits_and_deletions_change_the_chat(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    sent = await bot.send_message(citizen.chat_id, "Bạn đồng ý chứ?", reply_markup=CONSENT)
    edited = await bot.edit_message_reply_markup(chat_id=citizen.chat_id, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None and edited.edit_date is not None
    assert citizen.last_keyboard() is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=citizen.chat_id, message_id=sent.message_id)
    text = await bot.edit_message_text("Đã đồng ý", chat_id=citizen.chat_id, message_id=sent.message_id)
    assert isinstance(text, Message) and text.text == "Đã đồng ý"
    assert [m["text"] for m in citizen.messages()] == ["Đã đồng ý"]
    assert citizen.sent_to_me()[0]["text"] == "Bạn đồng ý chứ?"  # as sent
    assert await bot.delete_message(citizen.chat_id, sent.message_id)
    assert citizen.messages() == [] and api.deleted_messages(citizen.chat_id)[0]["text"] == "Đã đồng ý"
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(citizen.chat_id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=citizen.chat_id, message_id=sent.message_id)


async def test_the_bot_can_delete_what_the_citizen_sent(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    await citizen.send_text("123456")
    assert citizen.last_message_id is not None
    assert await bot.delete_message(citizen.chat_id, citizen.last_message_id)
    assert api.chat_messages(citizen.chat_id) == []
    await citizen.send_text("abc")
    with pytest.raises(TelegramBadRequest, match="can't be edited"):
        await bot.edit_message_text("x", chat_id=citizen.chat_id, message_id=citizen.last_message_id)


async def test_reply_keyboards_live_on_the_screen_not_in_the_message(bot: Bot, citizen: TelegramCitizen) -> None:
    share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Chia sẻ số điện thoại", request_contact=True)]],
                                resize_keyboard=True, one_time_keyboard=True)
    sent = await bot.send_message(citizen.chat_id, "Số điện thoại?", reply_markup=share)
    assert sent.reply_markup is None  # Telegram returns only inline keyboards in a Message
    keyboard = citizen.reply_keyboard()
    assert keyboard is not None and keyboard["keyboard"][0][0]["request_contact"] is True
    await bot.send_message(citizen.chat_id, "Cảm ơn", reply_markup=ReplyKeyboardRemove())
    assert citizen.reply_keyboard() is None


async def test_a_one_time_keyboard_pressed_is_hidden_but_kept_until_taken_away(
    bot: Bot, citizen: TelegramCitizen,
) -> None:
    share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Chia sẻ số điện thoại", request_contact=True)]],
                                resize_keyboard=True, one_time_keyboard=True)
    await bot.send_message(citizen.chat_id, "Số điện thoại?", reply_markup=share)
    assert citizen.reply_keyboard_in_sight() is not None
    await citizen.share_contact("+84821234088")
    assert citizen.reply_keyboard_in_sight() is None  # the app hides it once used…
    assert citizen.reply_keyboard() is not None  # …behind a button in the input field
    await bot.send_message(citizen.chat_id, "Email?", reply_markup=ReplyKeyboardRemove())
    assert citizen.reply_keyboard() is None


async def test_a_message_sent_with_a_reply_keyboard_or_its_removal_cannot_be_edited(
    bot: Bot, citizen: TelegramCitizen,
) -> None:
    share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Chia sẻ", request_contact=True)]])
    for markup in (share, ReplyKeyboardRemove()):
        sent = await bot.send_message(citizen.chat_id, "Bước 5/8", reply_markup=markup)
        with pytest.raises(TelegramBadRequest, match="can't be edited"):
            await bot.edit_message_reply_markup(chat_id=citizen.chat_id, message_id=sent.message_id,
                                                reply_markup=CONSENT)
        with pytest.raises(TelegramBadRequest, match="can't be edited"):
            await bot.edit_message_text("Bước 5/8", chat_id=citizen.chat_id, message_id=sent.message_id)


async def test_injected_failures_surface_as_aiogram_exceptions(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    api.fail_next("sendMessage", 429, retry_after=3)
    api.fail_next("SENDMESSAGE", 500)
    api.fail_next("sendMessage", 502)
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(citizen.chat_id, "một")
    assert flood.value.retry_after == 3 and "retry after 3" in flood.value.message
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(citizen.chat_id, "một")
    await bot.send_message(citizen.chat_id, "một")
    assert [c.error_code for c in api.calls_to("sendMessage")] == [429, 500, 502, None]
    assert len(api.calls_to("sendMessage", ok=True)) == 1 and len(citizen.sent_to_me()) == 1


async def test_a_lost_answer_still_sends(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    api.fail_next("sendMessage", 502, applied=True)
    with pytest.raises(TelegramServerError):
        await bot.send_message(citizen.chat_id, "một")
    assert len(citizen.sent_to_me()) == 1


async def test_blocked_users_and_unknown_chats_are_refused(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    api.blocked_users.add(citizen.chat_id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(citizen.chat_id, "Xin chào")
    api.blocked_users.discard(citizen.chat_id)
    await bot.send_message(citizen.chat_id, "Xin chào")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "Xin chào")


async def test_bad_parameters_are_refused_like_telegram(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen, http: aiohttp.ClientSession,
) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(citizen.chat_id, "")  # aiogram leaves the empty text out
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(citizen.chat_id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]])
        await bot.send_message(citizen.chat_id, "x", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="Only HTTPS links are allowed"):
        form = InlineKeyboardButton(text="x", web_app=WebAppInfo(url="http://127.0.0.1:8080/webapp/password"))
        await bot.send_message(citizen.chat_id, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[form]]))
    with pytest.raises(TelegramBadRequest, match="Unsupported start tag"):
        await bot.send_message(citizen.chat_id, "<x>hi</x>", parse_mode="HTML")
    html = await bot.send_message(citizen.chat_id, "<b>Bước 1/8</b> &amp; tiếp", parse_mode="HTML")
    assert html.text == "Bước 1/8 & tiếp"
    async with http.post(f"{api.base_url}/bot{DEFAULT_TOKEN}/sendMessage", json={"text": "hi"}) as response:
        body = await response.json()
    assert response.status == 400
    assert body == {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"}
    async with http.post(f"{api.base_url}/bot{DEFAULT_TOKEN}/answerCallbackQuery", json={}) as response:
        assert (await response.json())["description"] == "Bad Request: callback_query_id is empty"


class SendTelepathy(TelegramMethod[bool]):
    """A method Telegram does not have."""

    __returning__ = bool
    __api_method__ = "sendTelepathy"


async def test_unknown_methods_and_tokens(api: FakeBotAPI, bot: Bot, http: aiohttp.ClientSession) -> None:
    with pytest.raises(TelegramNotFound, match="Not Found"):
        await bot(SendTelepathy())
    async with http.post(f"{api.base_url}/bot{DEFAULT_TOKEN}/sendTelepathy", json={}) as response:
        assert response.status == 404 and await response.json() == {
            "ok": False, "error_code": 404, "description": "Not Found"}
    assert api.calls[-1].method == "sendTelepathy" and api.calls[-1].ok is False
    stranger = aiogram_bot(api, "654321:" + "B" * 35)
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()
    async with http.get(f"{api.base_url}/nowhere") as response:
        assert response.status == 404 and (await response.json())["ok"] is False


async def test_any_encoding_and_case_is_understood(
    api: FakeBotAPI, citizen: TelegramCitizen, http: aiohttp.ClientSession,
) -> None:
    base = f"{api.base_url}/bot{DEFAULT_TOKEN}"
    async with http.get(f"{base}/GETME") as response:
        assert (await response.json())["result"]["id"] == api.bot_id
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    async with http.post(f"{base}/sendmessage", data={"chat_id": str(citizen.chat_id), "text": "form",
                                                       "reply_markup": markup}) as response:
        assert (await response.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    form = aiohttp.FormData()
    form.add_field("chat_id", str(citizen.chat_id))
    form.add_field("caption", "multipart")
    form.add_field("document", b"%PDF-1.4", filename="giay-to.pdf", content_type="application/pdf")
    form.add_field("reply_markup", markup)
    async with http.post(f"{base}/sendDocument", data=form) as response:
        document = (await response.json())["result"]["document"]
    assert document["file_name"] == "giay-to.pdf"
    call = api.calls_to("sendDocument")[0]
    assert call.params["chat_id"] == citizen.chat_id and isinstance(call.params["document"], Upload)
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert [c.method for c in api.calls] == ["getMe", "sendMessage", "sendDocument"]


async def test_get_updates_waits_for_an_update_and_honours_the_offset(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=2))
    await asyncio.sleep(0.05)
    update_id = await citizen.send_command("/start")
    (update,) = await waiting
    assert time.monotonic() - started < 1  # woken by the update, not by the timeout
    assert update.update_id == update_id and update.message is not None and update.message.text == "/start"
    assert update.message.entities is not None and update.message.entities[0].type == "bot_command"
    assert [u.update_id for u in await bot.get_updates()] == [update_id]  # not confirmed yet
    await citizen.send_text("Nguyễn Văn An")
    second = await bot.get_updates(offset=update_id + 1, limit=10)
    assert [u.update_id for u in second] == [update_id + 1]
    assert await bot.get_updates(offset=update_id + 2) == []
    assert api.pending_updates == []


async def test_get_updates_times_out_empty_and_a_second_poller_conflicts(bot: Bot) -> None:
    started = time.monotonic()
    first = asyncio.create_task(bot.get_updates(timeout=1))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 < time.monotonic() - started < 2
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


async def test_edits_by_the_citizen_arrive_as_edited_messages(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    await citizen.send_text("Nguyen Van An")
    assert citizen.last_message_id is not None
    await citizen.edit(citizen.last_message_id, "Nguyễn Văn An")
    first, second = await bot.get_updates()
    assert first.message and second.edited_message
    assert second.edited_message.message_id == first.message.message_id
    assert second.edited_message.text == "Nguyễn Văn An" and second.edited_message.edit_date is not None
    assert [m["text"] for m in api.chat_messages(citizen.chat_id)] == ["Nguyễn Văn An"]


async def test_a_re_injected_update_id_is_delivered_again(bot: Bot, citizen: TelegramCitizen) -> None:
    update = citizen.text_update("Nguyễn Văn An")
    citizen.api.inject(update)
    (first,) = await bot.get_updates()
    await bot.get_updates(offset=first.update_id + 1)
    citizen.api.inject(update)  # Telegram re-delivers after a lost answer
    assert [u.update_id for u in await bot.get_updates(offset=first.update_id + 1)] == [first.update_id]


async def test_citizen_updates_parse_in_aiogram(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    contact = parsed(citizen.contact_update("+84821234088"), bot).message
    assert contact and contact.contact and contact.contact.user_id == citizen.user_id
    foreign = parsed(citizen.contact_update("+84821234088", own=False), bot).message
    assert foreign and foreign.contact and foreign.contact.user_id != citizen.user_id
    sticker = parsed(citizen.sticker_update(), bot).message
    assert sticker and sticker.sticker and sticker.sticker.emoji == "👍"
    photo = parsed(citizen.photo_update(caption="CCCD"), bot).message
    assert photo and photo.photo and photo.caption == "CCCD"
    file = await bot.get_file(photo.photo[-1].file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read().startswith(b"\xff\xd8")
    text = parsed(citizen.text_update("xin chào"), bot).message
    assert text and text.from_user and text.from_user.language_code == "vi" and text.entities is None


async def test_files_registered_by_tests_are_served(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    file_id = api.add_file(b"noi dung", file_path="documents/to-khai.txt")
    file = await bot.get_file(file_id)
    assert (file.file_path, file.file_size) == ("documents/to-khai.txt", 8)
    downloaded = await bot.download_file("documents/to-khai.txt")
    assert downloaded is not None and downloaded.read() == b"noi dung"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    photo = await bot.send_photo(citizen.chat_id, BufferedInputFile(b"\xff\xd8jpeg", "anh.jpg"), caption="Ảnh")
    assert photo.photo and photo.caption == "Ảnh"
    assert api.files[photo.photo[-1].file_id].content == b"\xff\xd8jpeg"
    again = await bot.send_photo(citizen.chat_id, photo.photo[-1].file_id)
    assert again.photo and again.photo[-1].file_id == photo.photo[-1].file_id


async def test_commands_descriptions_and_menu(api: FakeBotAPI, bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Bắt đầu"), BotCommand(command="help", description="Trợ giúp")]
    assert await bot.set_my_commands(commands, language_code="vi")
    listed = await bot.get_my_commands(language_code="vi")
    assert [(c.command, c.description) for c in listed] == [(c.command, c.description) for c in commands]
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    assert await bot.set_my_description("Đăng ký tài khoản", language_code="vi")
    assert await bot.set_my_short_description("Đăng ký")
    assert (await bot.get_my_description(language_code="vi")).description == "Đăng ký tài khoản"
    assert (await bot.get_my_short_description()).short_description == "Đăng ký"
    assert {c.params.get("language_code") for c in api.calls_to("setMyCommands")} == {"vi", None}


async def test_groups_topics_copies_and_members(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    desk = -1001234567890
    api.add_chat({"id": desk, "type": "supergroup", "title": "Hỗ trợ", "is_forum": True})
    topic = await bot.create_forum_topic(desk, "An · 1001")
    assert topic.name == "An · 1001" and topic.message_thread_id > 0
    await citizen.send_text("Tôi cần giúp đỡ")
    assert citizen.last_message_id is not None
    copied = await bot.copy_message(desk, citizen.chat_id, citizen.last_message_id,
                                    message_thread_id=topic.message_thread_id)
    message = api.message(desk, copied.message_id)
    assert message and message["text"] == "Tôi cần giúp đỡ" and message["message_thread_id"] == topic.message_thread_id
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(desk, citizen.chat_id, 999)
    assert isinstance(await bot.get_chat_member(desk, citizen.user_id), ChatMemberMember)
    api.set_member(desk, api.bot_id, "administrator")
    assert isinstance(await bot.get_chat_member(desk, api.bot_id), ChatMemberAdministrator)
    assert await bot.close() and await bot.log_out()


async def test_webhook_delivery_with_the_secret_header(api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def on_update(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        if len(received) == 1:  # answer the first update with a method call, as aiogram can
            return web.json_response({"method": "sendMessage", "chat_id": citizen.chat_id, "text": "Chào"})
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", on_update)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret-token")
        assert (await bot.get_webhook_info()).url == url
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        update_id = await citizen.send_command("/start")
        reply = await citizen.wait_for_reply("Chào", timeout=2)
        assert received[0][0] == "s3cret-token" and received[0][1]["update_id"] == update_id
        assert parsed(received[0][1], bot).message is not None
        assert reply["text"] == "Chào" and api.calls_to("sendMessage")[0].webhook_reply
        duplicate = citizen.text_update("An")
        assert [await api.deliver_webhook(url, duplicate, "s3cret-token") for _ in range(2)] == [200, 200]
        assert received[1][1] == received[2][1]
        assert await api.deliver_webhook(url.replace("/hook", "/missing"), duplicate) == 404
        assert await bot.set_webhook(url.replace("/hook", "/missing"))  # this worker answers 404
        failing = await citizen.send_text("Bình")
        await api.flush_webhook()
        assert [(f.update_id, f.status) for f in api.webhook_failures] == [(failing, 404)]
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 404 Not Found"
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


async def test_presses_built_ahead_point_at_the_message_shown_on_delivery(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    press = citizen.press_update("consent:agree")  # before the bot has asked
    sent = await bot.send_message(citizen.chat_id, "Bạn đồng ý chứ?", reply_markup=CONSENT)
    api.inject(press)
    (update,) = await bot.get_updates()
    assert update.callback_query and isinstance(update.callback_query.message, Message)
    assert update.callback_query.message.message_id == sent.message_id


async def test_wait_for_reply_reads_replies_in_order(bot: Bot, citizen: TelegramCitizen) -> None:
    await citizen.send_text("/help")
    for text in ("Một", "Hai", "Ba"):
        await bot.send_message(citizen.chat_id, text)
    assert (await citizen.wait_for_reply())["text"] == "Một"
    assert (await citizen.wait_for_reply("Ba"))["text"] == "Ba"
    with pytest.raises(AssertionError, match="no message containing 'Bốn'"):
        await citizen.wait_for_reply("Bốn", timeout=0.05)


async def test_an_aiogram_dispatcher_answers_a_citizen_by_polling(bot: Bot, citizen: TelegramCitizen) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"Bạn nói: {message.text}", reply_markup=CONSENT)

    polling = asyncio.create_task(dispatcher.start_polling(bot, polling_timeout=1, handle_signals=False,
                                                           close_bot_session=False))
    try:
        await citizen.send_text("xin chào")
        assert (await citizen.wait_for_reply("Bạn nói", timeout=3))["text"] == "Bạn nói: xin chào"
    finally:
        await dispatcher.stop_polling()
        await polling
