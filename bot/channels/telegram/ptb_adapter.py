"""python-telegram-bot (v22) under the tree: its models read the updates, its Bot makes the calls.

As thin as the aiogram adapter: no handlers, no ConversationHandler and no
PTB persistence (they keep state per process — PTB issues #4452, #5225);
every update that `citizen_json.py` does not read from its JSON is read
with `Update.de_json` and goes to `TelegramFront.on_update` (the switchboard
keeps each dialog in order); the calls every update makes are posted as
`wire.py` writes them on an aiohttp session of the adapter's own (`post_form`;
PTB's httpx request layer cost about 1.1 ms of CPU a call), polling's
getUpdates by the Bot's request layer, the rarer ones through PTB's
methods; and PTB's exceptions are translated into the four failures
`delivery` knows how to handle (`wire.read_answer` maps the posted calls'
answers the same way).
Polling is the front's, not PTB's `Updater` (`bot/channels/telegram/polling.py`,
which confirms an update only once it is kept in Redis); this adapter
only makes its getUpdates calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram import Bot, InputFile, Update
from telegram import BotCommand as PtbCommand
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import Application
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

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
    WireCall,
    get_updates_call,
    polled_updates,
    post_form,
    read_answer,
    wire_call,
)


def _translation(error: TelegramError) -> Exception:
    """PTB's error as the failure `delivery` acts on, or itself when it is none of them."""
    if isinstance(error, PtbRetryAfter):
        wait = error.retry_after
        return RetryAfter(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
    if isinstance(error, Forbidden):
        return Blocked(str(error))
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: test it first
        return rejected(str(error))
    if isinstance(error, (NetworkError, Conflict)):  # timeouts, connection errors, 5xx; 409: another poller
        return Transient(str(error))
    return error


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    try:
        yield
    except TelegramError as error:
        translated = _translation(error)
        if translated is error:
            raise
        raise translated from error


def _wire_form(call: WireCall) -> RequestData:
    """A call written by `wire.py` as PTB's request data: each parameter is already the string PTB would post.

    `RequestParameter` is PTB's own (it says: internal, may change unannounced); the end-to-end tests make every
    such call through PTB against the fake Bot API (tests/telegram), so a change shows there."""
    return RequestData([RequestParameter(name, value, None) for name, value in call.params.items()])


WIRE_CONNECTIONS = 256  # as PTB's request layer's pool
WIRE_CONNECT_TIMEOUT = 6.0  # PTB's 5 s to connect and 1 s for a free connection in its pool, together here


def _env_proxy(url: str) -> str | None:
    """The proxy HTTPS_PROXY / HTTP_PROXY (and NO_PROXY) name for `url`, as PTB's httpx client takes it from the
    environment; read once, not per request as aiohttp's `trust_env` does (which cost 0.6 ms of CPU a call)."""
    scheme, host = urlsplit(url).scheme, urlsplit(url).hostname or ""
    if proxy_bypass(host):
        return None
    return getproxies().get(scheme)


class PtbAdapter:
    def __init__(self, token: str, api_url: str) -> None:
        base = api_url.rstrip("/")
        self.application = (
            Application.builder().token(token).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
            .concurrent_updates(256).build()
        )
        self.bot: Bot = self.application.bot
        self._calls_url = f"{base}/bot{token}/"  # + the method's name, as the Bot's base_url
        self._http: aiohttp.ClientSession | None = None
        self.post_form: PostForm = self._post_form  # the benchmark's stub stands in here (benchmarks/stubs.py)

    async def _post_form(self, method: str, params: dict[str, str]) -> tuple[int, bytes]:
        """One wire call on an aiohttp session of the adapter's own, not PTB's httpx request layer: httpx cost
        about 1.1 ms more CPU a sendMessage over loopback (1,573 against aiogram's 443 µs, the fake Bot API's
        work included), more than the rest of an update."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=WIRE_CONNECTIONS),
                timeout=aiohttp.ClientTimeout(total=None, connect=WIRE_CONNECT_TIMEOUT, sock_connect=5.0,
                                              sock_read=self.bot.request.read_timeout or 5.0),
                headers={"User-Agent": self.bot.request.USER_AGENT}, proxy=_env_proxy(self._calls_url))
        return await post_form(self._http, self._calls_url + method, method, params, self._http.timeout)

    async def me(self) -> BotIdentity:
        await self.application.initialize()
        return BotIdentity(self.bot.id, self.bot.username)

    async def execute(self, action: Action) -> Result:
        if (call := wire_call(action)) is not None:  # fails with our own errors: nothing of PTB's to translate
            return read_answer(call, *await self.post_form(call.method, call.params))
        async with _translated():
            match action:
                case SendPhoto(chat_id, png, caption, thread_id):
                    photo = await self.bot.send_photo(chat_id, InputFile(png, filename="qr.png"), caption=caption,
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
                    return str((await self.bot.get_chat_member(chat_id, user_id)).status)
                case DownloadFile(file_id):
                    return await self.download(file_id)
        return None

    async def set_commands(self, commands: list[BotCommand], language: str | None) -> None:
        async with _translated():
            await self.bot.set_my_commands([PtbCommand(c.command, c.description) for c in commands],
                                           language_code=language)

    async def set_descriptions(self, description: str, short_description: str, language: str | None) -> None:
        async with _translated():
            await self.bot.set_my_description(description, language_code=language)
            await self.bot.set_my_short_description(short_description, language_code=language)

    async def download(self, file_id: str) -> bytes:
        async with _translated():
            file = await self.bot.get_file(file_id)
            if not file.file_path:
                raise Rejected("getFile gave no file_path: the file cannot be downloaded")
            try:
                return bytes(await file.download_as_bytearray())
            except (InvalidToken, Forbidden) as error:  # the file server's 404 (PTB: InvalidToken) or 403
                raise Rejected(f"file download: {error}") from error

    def parse_update(self, data: dict[str, Any]) -> Update:
        try:
            update = Update.de_json(data, self.bot)
        except Exception as error:  # de_json does not validate: a malformed update fails anywhere (tests/fuzz)
            raise ValueError(f"unreadable update: {type(error).__name__}: {error}") from error
        if update is None:
            raise ValueError("empty update")
        return update

    async def drop_webhook(self) -> None:
        async with _translated():
            await self.bot.delete_webhook()

    async def fetch_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """The updates as Telegram sent them, as a webhook gets them, posted by the Bot's request layer: not
        read into PTB's Updates (`de_json`, which logs a batch it cannot read whole, personal data included)
        and written back by `to_dict`, which adds fields `citizen_json` does not take, so every polled update
        was parsed by PTB a second time. One long poll at a time takes one of that layer's 256 connections."""
        request, call = self.bot.request, get_updates_call(offset, timeout)
        async with _translated():
            result = await request.post(f"{self.bot.base_url}/{call.method}", _wire_form(call),
                                        read_timeout=(request.read_timeout or 0) + timeout)
        return polled_updates(result)

    async def set_webhook(self, url: str, secret: str, max_connections: int) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                   max_connections=max_connections)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
