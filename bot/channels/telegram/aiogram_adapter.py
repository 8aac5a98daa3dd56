"""aiogram 3 under the tree: its models read the updates, its Bot makes the calls.

Deliberately thin: neither the Dispatcher nor the FSM is used (dialog state
lives in the shared Redis store, under its lock, so routing is the front's):
every update, polled or posted to the webhook, is parsed into aiogram's
Update and goes to `TelegramFront.on_update`, and aiogram's exceptions are
translated into the four failures `delivery` knows how to handle. Polling
is the front's (`bot/channels/telegram/polling.py`, which confirms an update only
once it is kept in Redis); this adapter only makes its getUpdates calls.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import aiohttp
import orjson
from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import Response
from aiogram.types import BotCommand as AiogramCommand
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageId,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    WebAppInfo,
)

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    BotCommand,
    CallbackButton,
    ClearKeyboard,
    CloseTopic,
    ContactKeyboard,
    CopyMessage,
    CreateTopic,
    DeleteMessage,
    DownloadFile,
    EditText,
    EditTopic,
    GetMemberStatus,
    InlineKeyboard,
    LinkButton,
    Markup,
    Rejected,
    RemoveKeyboard,
    ReopenTopic,
    Result,
    RetryAfter,
    SendMessage,
    SendPhoto,
    ShowChoice,
    Transient,
    WebAppButton,
    rejected,
)
from bot.channels.telegram.adapter import ALLOWED_UPDATES, MARKUPS_KEPT, BotIdentity

AiogramMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


class SendMessageForId(methods.SendMessage):
    """sendMessage whose answer is read as a `MessageId`: the id is all the tree uses, and aiogram's full `Message`
    (sender, chat, the keyboard echoed back, each a pydantic model) was the largest single cost of a reply
    (benchmarks/profile.py, issue 18). The other fields of the answer are kept unread."""

    __returning__ = MessageId  # type: ignore[assignment]


# aiogram parses every answer as Response[<the method's return type>], a generic model pydantic caches
# only weakly: after a garbage collection the next call rebuilds it (~15 ms, seen as p99 spikes in
# benchmarks/). Holding the ones we use keeps them built.
_RESPONSES = tuple(Response[method.__returning__] for method in (  # type: ignore[name-defined]
    SendMessageForId, methods.SendPhoto, methods.CopyMessage, methods.EditMessageText,
    methods.EditMessageReplyMarkup, methods.AnswerCallbackQuery, methods.DeleteMessage, methods.CreateForumTopic,
    methods.EditForumTopic, methods.CloseForumTopic, methods.ReopenForumTopic, methods.GetChatMember,
    methods.GetUpdates, methods.GetFile,
))


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except TelegramRetryAfter as error:
        raise RetryAfter(error.retry_after) from error
    except TelegramForbiddenError as error:
        raise Blocked(str(error)) from error
    except (TelegramServerError, TelegramNetworkError, TelegramConflictError) as error:  # 409: another poller
        raise Transient(str(error)) from error
    except (TelegramBadRequest, TelegramNotFound) as error:
        raise rejected(str(error)) from error


@asynccontextmanager
async def _translated_download() -> AsyncIterator[None]:
    """aiogram fetches a file with aiohttp directly, so its errors are aiohttp's, with only an HTTP status."""
    try:
        yield
    except aiohttp.ClientResponseError as error:
        failure = Rejected if 400 <= error.status < 500 and error.status not in (408, 429) else Transient
        raise failure(f"file download: {error.status} {error.message}") from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise Transient(f"file download: {type(error).__name__}: {error}") from error


@lru_cache(maxsize=MARKUPS_KEPT)  # a step's keyboard is the same for every citizen: built once, not per reply
def _markup(markup: Markup) -> AiogramMarkup:
    match markup:
        case InlineKeyboard(rows):
            return InlineKeyboardMarkup(inline_keyboard=[[_button(button) for button in row] for row in rows])
        case ContactKeyboard(label):
            return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=label, request_contact=True)]],
                                       resize_keyboard=True, one_time_keyboard=True)
        case RemoveKeyboard():
            return ReplyKeyboardRemove()
    return None


def _button(button: CallbackButton | WebAppButton | LinkButton) -> InlineKeyboardButton:
    match button:
        case CallbackButton(label, data):
            return InlineKeyboardButton(text=label, callback_data=data)
        case WebAppButton(label, url):
            return InlineKeyboardButton(text=label, web_app=WebAppInfo(url=url))
        case LinkButton(label, url):
            return InlineKeyboardButton(text=label, url=url)


def _json_dumps(value: Any) -> str:
    """orjson for what aiogram serialises (reply markups, a stub's answers); it wants a str back."""
    return orjson.dumps(value).decode()


class AiogramAdapter:
    def __init__(self, token: str, api_url: str) -> None:
        # orjson reads the Bot API's answers and writes keyboards (cheaper than the stdlib's json; benchmarks/)
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")), json_loads=orjson.loads,
                                 json_dumps=_json_dumps)
        self.bot = Bot(token, session=session)

    async def me(self) -> BotIdentity:
        me = await self.bot.get_me()
        return BotIdentity(me.id, me.username or "")

    async def execute(self, action: Action) -> Result:
        async with _translated():
            match action:
                case SendMessage(chat_id, text, markup, thread_id):
                    sent = await self.bot(SendMessageForId(chat_id=chat_id, text=text, reply_markup=_markup(markup),
                                                           message_thread_id=thread_id))
                    return sent.message_id
                case SendPhoto(chat_id, png, caption):
                    photo = await self.bot.send_photo(chat_id, BufferedInputFile(png, "qr.png"), caption=caption)
                    return photo.message_id
                case CopyMessage(chat_id, from_chat_id, message_id, thread_id):
                    copied = await self.bot.copy_message(chat_id, from_chat_id, message_id, message_thread_id=thread_id)
                    return copied.message_id
                case EditText(chat_id, message_id, text, markup):
                    await self.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                     reply_markup=_markup(markup))  # type: ignore[arg-type]
                case ClearKeyboard(chat_id, message_id):
                    await self.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
                case ShowChoice(chat_id, message_id):  # no reply_markup: the edit takes the buttons away
                    await self.bot.edit_message_text(action.text, chat_id=chat_id, message_id=message_id)
                case AnswerCallback(callback_id):
                    await self.bot.answer_callback_query(callback_id)
                case DeleteMessage(chat_id, message_id):
                    await self.bot.delete_message(chat_id, message_id)
                case CreateTopic(chat_id, name):
                    return (await self.bot.create_forum_topic(chat_id, name)).message_thread_id
                case EditTopic(chat_id, thread_id, name):
                    await self.bot.edit_forum_topic(chat_id, thread_id, name=name)
                case CloseTopic(chat_id, thread_id):
                    await self.bot.close_forum_topic(chat_id, thread_id)
                case ReopenTopic(chat_id, thread_id):
                    await self.bot.reopen_forum_topic(chat_id, thread_id)
                case GetMemberStatus(chat_id, user_id):
                    status = (await self.bot.get_chat_member(chat_id, user_id)).status
                    return str(getattr(status, "value", status))  # an enum member, or a plain string
                case DownloadFile(file_id):
                    return await self.download(file_id)
        return None

    async def set_commands(self, commands: list[BotCommand], language: str | None) -> None:
        listed = [AiogramCommand(command=c.command, description=c.description) for c in commands]
        async with _translated():
            await self.bot.set_my_commands(listed, language_code=language)

    async def set_descriptions(self, description: str, short_description: str, language: str | None) -> None:
        async with _translated():
            await self.bot.set_my_description(description, language_code=language)
            await self.bot.set_my_short_description(short_description, language_code=language)

    async def download(self, file_id: str) -> bytes:
        async with _translated():
            file = await self.bot.get_file(file_id)
        if not file.file_path:
            raise Rejected("getFile gave no file_path: the file cannot be downloaded")
        buffer = io.BytesIO()
        async with _translated_download():
            await self.bot.download_file(file.file_path, buffer)
        return buffer.getvalue()

    async def drop_webhook(self) -> None:
        async with _translated():
            await self.bot.delete_webhook()

    async def fetch_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        async with _translated():
            updates = await self.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES,
                                                 request_timeout=int(self.bot.session.timeout + timeout))
        return [update.model_dump(mode="json", exclude_none=True, by_alias=True) for update in updates]

    def parse_update(self, data: dict[str, Any]) -> Update:
        return Update.model_validate(data, context={"bot": self.bot})

    async def set_webhook(self, url: str, secret: str, max_connections: int) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                   max_connections=max_connections)

    async def close(self) -> None:
        await self.bot.session.close()
