"""The Bot API, in process: each framework's own client serialises the call and parses the answer, minus the network.

aiogram gets a `BaseSession` and python-telegram-bot a `BaseRequest`: the
layers their real HTTP clients implement. Both build the request's wire
form as the real client would (aiogram's `prepare_value` per field, PTB's
`json_parameters`), and both get a JSON answer back that the framework
parses into its own types (aiogram: `Response[method.__returning__]`; PTB:
its `de_json`). The product posts the calls every update makes on an
aiohttp session itself (`post_form` of either adapter: aiogram's session,
below aiogram's session layer; one of its own on PTB, not PTB's httpx
request layer): there `StubPost` answers, with the same answer serialised
by the same stdlib `json` as the anchors' `StubSession`, so the stub costs
the product what it costs the anchors and the product pays its own
reading of the answer (`wire.read_answer`). The answers are plausible: a Message for sendMessage and
sendPhoto, a MessageId for copyMessage, the bot for getMe, True otherwise.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

SENDS = frozenset({"sendMessage", "sendPhoto"})


class Chats:
    """Message ids per chat, one sequence for both sides as in Telegram; shared by the stub and the workload."""

    def __init__(self) -> None:
        self._last: dict[int, int] = {}

    def next_id(self, chat_id: int) -> int:
        self._last[chat_id] = self._last.get(chat_id, 0) + 1
        return self._last[chat_id]

    def last_id(self, chat_id: int) -> int:
        return self._last.get(chat_id, 1)


def bot_user(bot_id: int) -> dict[str, Any]:
    return {"id": bot_id, "is_bot": True, "first_name": "Đăng ký DVC", "username": f"regbot_{bot_id}_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}


class BotApi:
    """Answers Bot API calls given in wire form (every value a string, as in a form post)."""

    def __init__(self, bot_id: int, chats: Chats) -> None:
        self.bot_id = bot_id
        self.user = bot_user(bot_id)
        self.chats = chats
        self.calls: Counter[str] = Counter()  # requests, by method
        self.carried: Counter[str] = Counter()  # calls carried in webhook responses instead, by method

    @property
    def token(self) -> str:
        return f"{self.bot_id}:AAbenchmarkTokenNotUsedAnywhere0000"

    def carry(self, response: bytes) -> None:
        """A webhook's response: the call it carries, if any, is counted (Telegram would make it)."""
        if response:
            method = json.loads(response).get("method")
            if method:
                self.carried[str(method)] += 1

    def answer(self, method: str, params: Mapping[str, Any]) -> Any:
        self.calls[method] += 1
        if method == "getMe":
            return self.user
        if method in SENDS:
            return self._message(int(params["chat_id"]), params)
        if method == "copyMessage":
            return {"message_id": self.chats.next_id(int(params["chat_id"]))}
        return True

    def _message(self, chat_id: int, params: Mapping[str, Any]) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Dân"} if chat_id > 0 else {
            "id": chat_id, "type": "supergroup", "title": "Bàn hỗ trợ", "is_forum": True}
        message: dict[str, Any] = {"message_id": self.chats.next_id(chat_id), "from": self.user, "chat": chat,
                                   "date": int(time.time())}
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        markup = params.get("reply_markup")
        if markup:  # Telegram echoes an inline keyboard (only) in the sent message
            keyboard = json.loads(markup) if isinstance(markup, str) else markup
            if "inline_keyboard" in keyboard:
                message["reply_markup"] = keyboard
        return message


class StubSession(BaseSession):
    """aiogram's session layer with `BotApi` where `AiohttpSession` would POST a form."""

    def __init__(self, bot_api: BotApi, like: BaseSession | None = None) -> None:
        """`like`: the session it stands in for, whose JSON functions it uses (the product's are orjson's)."""
        if like is None:
            super().__init__()
        else:
            super().__init__(json_loads=like.json_loads, json_dumps=like.json_dumps)
        self.bot_api = bot_api  # not `api`: BaseSession's `api` is the server's URL patterns

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None,
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():  # as AiohttpSession.build_form_data
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                params[key] = prepared
        result = self.bot_api.answer(method.__api_method__, params)
        content = self.json_dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=content)
        return cast(TelegramType, response.result)

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30, chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        pass


class StubPost:
    """`BotApi` where an adapter's `post_form` would POST a form on aiohttp: the status and body it would read."""

    def __init__(self, bot_api: BotApi) -> None:
        self.bot_api = bot_api

    async def __call__(self, method: str, params: dict[str, str]) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": self.bot_api.answer(method, params)}).encode()


class StubRequest(BaseRequest):
    """PTB's request layer with `BotApi` where `HTTPXRequest` would POST `json_parameters`."""

    def __init__(self, bot_api: BotApi) -> None:
        self.bot_api = bot_api

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        params = request_data.json_parameters if request_data else {}
        result = self.bot_api.answer(url.rsplit("/", 1)[-1], params)
        return 200, json.dumps({"ok": True, "result": result}).encode()
