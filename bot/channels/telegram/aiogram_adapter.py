"""aiogram 3 under the tree: its models read the updates, its Bot makes the calls.

Deliberately thin: neither the Dispatcher nor the FSM is used (dialog state
lives in the shared Redis store, under its lock, so routing is the front's):
every update, polled or posted to the webhook, that `citizen_json.py` does
not read from its JSON is parsed into aiogram's Update and goes to
`TelegramFront.on_update`; the calls every update makes are posted as
`wire.py` writes them straight on aiogram's aiohttp session (`post_form`:
aiogram's Bot, its method models and its `Response` validation cost 16–18 µs
of CPU a call in benchmarks/, for a form whose fields are already strings),
the rarer ones through aiogram's methods; and aiogram's exceptions are
translated into the four failures `delivery` knows how to handle
(`wire.read_answer` maps the posted calls' answers the same way). Polling
is the front's (`bot/channels/telegram/polling.py`, which confirms an update only
once it is kept in Redis); this adapter only makes its getUpdates calls.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
from aiogram.types import BufferedInputFile, Update

from bot.channels.telegram.actions import (
    Action,
    Blocked,
    BotCommand,
    CloseTopic,
    CopyMessage,
    CreateTopic,
    DownloadFile,
    EditTopic,
    GetMemberStatus,
    Rejected,
    ReopenTopic,
    Result,
    RetryAfter,
    SendPhoto,
    Transient,
    rejected,
)
from bot.channels.telegram.adapter import ALLOWED_UPDATES, BotIdentity
from bot.channels.telegram.wire import (
    PostForm,
    get_updates_call,
    polled_updates,
    post_form,
    read_answer,
    read_result,
    wire_call,
)

# aiogram parses every answer as Response[<the method's return type>], a generic model pydantic caches
# only weakly: after a garbage collection the next call rebuilds it (~15 ms, seen as p99 spikes in
# benchmarks/). Holding the ones we use keeps them built.
_RESPONSES = tuple(Response[method.__returning__] for method in (  # type: ignore[name-defined]
    methods.SendPhoto, methods.CopyMessage, methods.CreateForumTopic, methods.EditForumTopic,
    methods.CloseForumTopic, methods.ReopenForumTopic, methods.GetChatMember, methods.GetFile,
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


def _json_dumps(value: Any) -> str:
    """orjson for what aiogram serialises (reply markups, a stub's answers); it wants a str back."""
    return orjson.dumps(value).decode()


class AiogramAdapter:
    def __init__(self, token: str, api_url: str) -> None:
        # orjson reads the Bot API's answers and writes keyboards (cheaper than the stdlib's json; benchmarks/)
        self._session = session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")),
                                                 json_loads=orjson.loads, json_dumps=_json_dumps)
        self.bot = Bot(token, session=session)
        self._calls_url = session.api.api_url(token=token, method="")  # + the method's name
        self._timeout = aiohttp.ClientTimeout(total=session.timeout)
        self.post_form: PostForm = self._post_form  # the benchmark's stub stands in here (benchmarks/stubs.py)

    async def _post_form(self, method: str, params: dict[str, str],
                         timeout: aiohttp.ClientTimeout | None = None) -> tuple[int, bytes]:
        """One wire call on aiogram's aiohttp session (its connector, its User-Agent, its timeout), posted as
        the url-encoded form aiogram posts for a call without files."""
        http = await self._session.create_session()
        return await post_form(http, self._calls_url + method, method, params, timeout or self._timeout)

    async def me(self) -> BotIdentity:
        me = await self.bot.get_me()
        return BotIdentity(me.id, me.username or "")

    async def execute(self, action: Action) -> Result:
        if (call := wire_call(action)) is not None:  # fails with our own errors: nothing of aiogram's to translate
            return read_answer(call, *await self.post_form(call.method, call.params))
        async with _translated():
            match action:
                case SendPhoto(chat_id, png, caption, thread_id):
                    photo = await self.bot.send_photo(chat_id, BufferedInputFile(png, "qr.png"), caption=caption,
                                                      message_thread_id=thread_id)
                    return photo.message_id
                case CopyMessage(chat_id, from_chat_id, message_id, thread_id):
                    copied = await self.bot.copy_message(chat_id, from_chat_id, message_id, message_thread_id=thread_id)
                    return copied.message_id
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
        """The updates as Telegram sent them, as a webhook gets them: not read into aiogram's models and dumped
        back to JSON (which cost more than handling a citizen's update; a batch with one update aiogram could
        not read failed whole)."""
        call = get_updates_call(offset, timeout)
        long_poll = aiohttp.ClientTimeout(total=self._session.timeout + timeout)
        return polled_updates(read_result(call.method, *await self._post_form(call.method, call.params, long_poll)))

    def parse_update(self, data: dict[str, Any]) -> Update:
        return Update.model_validate(data, context={"bot": self.bot})

    async def set_webhook(self, url: str, secret: str, max_connections: int) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                   max_connections=max_connections)

    async def close(self) -> None:
        await self.bot.session.close()
