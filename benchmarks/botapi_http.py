"""The Bot API over real HTTP on loopback, as little as the workers need: for `benchmarks.load`.

Every method gets a plausible `{"ok": true, "result": ...}` from `stubs.BotApi`
(a Message for sendMessage, a MessageId for copyMessage, the bot for getMe,
True otherwise), with message ids from the same `Chats` the load generator
builds its updates from. It is aiohttp's low-level server (no router, no
middleware, no access log), and the arrival of each sendMessage is reported
with its chat id and `perf_counter_ns()` — the clock the generator stamps its
webhook POSTs with, so the two can be subtracted (same process).

For `benchmarks.responsiveness` it can also enforce Telegram's flood limits
(`limits`: a call past one is answered 429 with `retry_after`, and not
made) and report every call's chat and the moment its answer leaves
(`on_call`), so the time to an update's last completed call can be taken.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from benchmarks.stubs import SENDS, BotApi
from benchmarks.telegram_limits import TelegramLimits

READ = SENDS | {"copyMessage"}  # the methods whose answer uses the parameters; others answer True unread
OnSend = Callable[[int, int], None]  # (chat id, perf_counter_ns at arrival)
OnCall = Callable[[str, int | None, int, bool], None]  # (method, chat id, perf_counter_ns answered, refused)


class HttpBotApi:
    def __init__(self, api: BotApi, on_send: OnSend, limits: TelegramLimits | None = None,
                 on_call: OnCall | None = None) -> None:
        self.api = api
        self.on_send = on_send
        self.limits = limits
        self.on_call = on_call
        self.requests = 0
        self.url = ""  # once started
        self._runner: web.ServerRunner | None = None

    async def start(self, host: str = "127.0.0.1") -> str:
        """Serve on a free port; answer the base URL (TELEGRAM_API_URL)."""
        self._runner = web.ServerRunner(web.Server(self._handle, access_log=None))
        await self._runner.setup()
        await web.TCPSite(self._runner, host, 0, backlog=4096).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        arrived = perf_counter_ns()
        self.requests += 1
        parts = request.path.split("/")  # "", "bot<token>", "<method>"
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return web.Response(status=404)
        method = parts[2]
        params = await _params(request) if method in READ or self.on_call or self.limits else {}
        if self.on_call is not None or self.limits is not None:
            chat = _chat_of(params)
            retry_after = self.limits.admit(method, chat) if self.limits is not None else None
            if self.on_call is not None:
                self.on_call(method, chat, perf_counter_ns(), retry_after is not None)
            if retry_after is not None:
                body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                        "parameters": {"retry_after": retry_after}}
                return web.Response(status=429, body=json.dumps(body).encode(), content_type="application/json")
        result = self.api.answer(method, params)
        if method in SENDS:
            self.on_send(int(params["chat_id"]), arrived)
        return web.Response(body=json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode(),
                            content_type="application/json")


def _chat_of(params: dict[str, Any]) -> int | None:
    """The chat a call acts in; for a press's answer, the pressing user's (the workload's query ids start
    with the user id, followed by a 10-digit update id)."""
    chat = params.get("chat_id")
    if chat is not None:
        return int(chat)
    query = params.get("callback_query_id")
    return int(query[:-10]) if isinstance(query, str) and len(query) > 10 and query.isdigit() else None


async def _params(request: web.BaseRequest) -> dict[str, Any]:
    """The call's parameters in wire form: aiogram posts a urlencoded form, PTB too (httpx `data=`)."""
    if not request.can_read_body:
        return dict(request.query)
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        return {key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()}
    if content_type.startswith("multipart/"):
        form = await request.post()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    return dict(parse_qsl((await request.read()).decode(), keep_blank_values=True))
