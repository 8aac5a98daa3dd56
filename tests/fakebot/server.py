"""A fake Telegram Bot API over real HTTP, so a bot is tested through its real client.

Any Bot API client works against it by pointing its base URL at
`await api.start()`: requests go to `/bot<token>/<method>`, files to
`/file/bot<token>/<path>`. Tests drive it from Python: `inject` updates
(queued for getUpdates, or POSTed to the webhook the bot set), make calls
fail (`fail_next`, `blocked_users`, `group_limit`), and read back what the
bot did: `calls`, the files it `downloads`, and each chat as it looks now.
The world it keeps is in `state`, the update queue and webhook in
`updates`, the methods in `methods`, `messaging` and `forum`, the chat
rules in `messages`, the group flood limit in `flood`, the wire format in
`wire`, a photo's sizes in `photos`.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import web

from tests.fakebot import forum, messaging, methods
from tests.fakebot.params import Params
from tests.fakebot.state import BLOCKED, DEFAULT_TOKEN, BotState
from tests.fakebot.updates import OTHER_POLL, UpdateQueue, Webhook, WebhookFailure, phrase
from tests.fakebot.wire import ApiError, Described, dumps, normalise, ok_body, read_params

__all__ = ["DEFAULT_TOKEN", "Call", "FakeBotAPI", "Webhook", "WebhookFailure"]

T = TypeVar("T")
HANDLERS = methods.handles | messaging.handles | forum.handles
MAX_UPLOAD = 50 * 1024 * 1024  # what Telegram accepts from bots
DOWNLOAD = "download"  # `fail_next`'s name for the file route, which is no Bot API method
DEFAULT_ERRORS = {400: "Bad Request", 401: "Unauthorized", 403: BLOCKED, 404: "Not Found", 409: OTHER_POLL,
                  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                  504: "Gateway Timeout"}


@dataclass(slots=True)
class Call:
    """One request the bot made: its parameters (typed as JSON would have them) and how it was answered."""

    method: str  # canonical spelling ("sendMessage") when known, else as requested
    params: dict[str, Any]
    time: float  # time.monotonic() on arrival, to measure pacing between calls
    ok: bool | None = None  # None while unanswered (a long poll), or if the client went away
    error_code: int | None = None
    description: str | None = None
    result: Any = None
    webhook_reply: bool = False  # made by answering a webhook POST with a method, not by a request


@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    description: str
    retry_after: int | None
    applied: bool  # the call takes effect, only its answer is the error (a lost response)

    def error(self) -> ApiError:
        return ApiError(self.status, self.description, retry_after=self.retry_after)


class FakeBotAPI(BotState):
    """The Bot API of one bot, with controls for tests. Start it, point the bot at `base_url`."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_id: int | None = None, username: str = "regbot_test_bot",
                 *, first_name: str = "RegBot", clock: Callable[[], datetime] | None = None,
                 strict_chats: bool = True, webhook_attempts: int = 3, webhook_timeout: float = 10.0,
                 group_limit: tuple[int, float] | None = None) -> None:
        super().__init__(token, bot_id, username, first_name, clock, strict_chats, group_limit)
        self.calls: list[Call] = []
        self.downloads: list[str] = []  # the file_path of every file served by the download route, in order
        self.internal_errors: list[BaseException] = []  # bugs in the fake itself, answered as 500
        self.updates = UpdateQueue(self.signal, self.now, attempts=webhook_attempts, timeout=webhook_timeout)
        self.updates.on_reply = self._run_webhook_reply
        self._failures: defaultdict[str, deque[Failure]] = defaultdict(deque)
        self._base_url: str | None = None
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # --- running ----------------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on `host:port` (0: any free port); answers the base URL for the bot's client."""
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._on_file)
        app.router.add_route("GET", "/bot{token}/{method}", self._on_call)
        app.router.add_route("POST", "/bot{token}/{method}", self._on_call)
        app.router.add_route("*", "/{tail:.*}", self._on_unknown)
        # handler_cancellation: a killed bot's pending long poll must not take updates it will never read
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._base_url = f"http://{bound_host}:{bound_port}"
        self.updates.session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self.updates.run_webhook())
        return self._base_url

    async def stop(self) -> None:
        self.updates.closing = True
        self.signal.notify()  # long polls answer [] now
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
        if self.updates.session is not None:
            await self.updates.session.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("start() the fake Bot API first")
        return self._base_url

    # --- test controls ----------------------------------------------------------------------------------------

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        """Calls of `method` (any case), optionally only those answered ok (`ok=True`) or failed (`ok=False`)."""
        return [call for call in self.calls
                if call.method.lower() == method.lower() and (ok is None or call.ok is ok)]

    def fail_next(self, method: str, status: int, *, retry_after: int | None = None, description: str | None = None,
                  times: int = 1, applied: bool = False) -> None:
        """The next `times` calls of `method` answer `status` instead (queued after earlier fail_next's).

        429 carries `parameters.retry_after` (default 1). With `applied=True` the call takes effect and
        only its answer is an error, as when Telegram's response is lost after sending. `method="download"`:
        the next file downloads (`/file/bot<token>/<path>`) fail so.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or (f"Too Many Requests: retry after {retry_after}" if status == 429
                               else DEFAULT_ERRORS.get(status, phrase(status)))
        self._failures[method.lower()].extend([Failure(status, text, retry_after, applied)] * times)

    def inject(self, update: dict[str, Any]) -> int:
        """Queue an update from Telegram's side (for getUpdates, or the webhook); answers its update_id.

        The dict gets the next update_id unless it has one (keep one to re-deliver a duplicate).
        """
        update_id = self.claim(update)
        self.updates.put(update)
        return update_id

    async def deliver_webhook(self, url: str, update: dict[str, Any], secret: str | None = None) -> int:
        """POST one update to `url` now, as Telegram does; answers the HTTP status (0: unreachable).

        For firing the same update at two workers: the update_id is assigned to the dict on the first call.
        """
        self.claim(update)
        return await self.updates.post(url, update, secret)

    async def flush_webhook(self, timeout: float = 5.0) -> None:
        """Wait until every queued update has been delivered to the webhook (or given up on)."""
        await self.wait_until(lambda: True if not self.updates.pending else None, timeout)

    async def wait_until(self, check: Callable[[], T | None], timeout: float) -> T:
        """Wait until `check()` answers something other than None; TimeoutError after `timeout` seconds."""
        return await self.signal.wait_until(check, timeout)

    @property
    def webhook(self) -> Webhook | None:
        return self.updates.webhook

    @property
    def webhook_failures(self) -> list[WebhookFailure]:
        return self.updates.failures

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by getUpdates nor delivered to the webhook."""
        return self.updates.pending

    # --- HTTP -------------------------------------------------------------------------------------------------

    async def _on_call(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        entry = HANDLERS.get(name.lower())
        call = Call(entry[0] if entry else name, {}, time.monotonic())
        self.calls.append(call)
        try:
            call.params = await read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
        except ApiError as error:
            return self._failed(call, error)
        return await self._execute(call)

    async def _run_webhook_reply(self, params: dict[str, Any]) -> None:
        name = str(params.pop("method"))
        entry = HANDLERS.get(name.lower())
        call = Call(entry[0] if entry else name, normalise(params), time.monotonic(), webhook_reply=True)
        self.calls.append(call)
        await self._execute(call)  # Telegram reports nothing back; the Call records the outcome

    async def _execute(self, call: Call) -> web.Response:
        """Answer one recorded call: an injected failure, or what its handler makes of it."""
        entry = HANDLERS.get(call.method.lower())
        failures = self._failures.get(call.method.lower())
        failure = failures.popleft() if failures else None
        try:
            if failure is not None and not failure.applied:
                raise failure.error()
            if entry is None:
                raise ApiError(404, "Not Found")
            result = await entry[1](self, Params(call.params))
            if failure is not None:
                raise failure.error()
        except ApiError as error:
            return self._failed(call, error)
        except Exception as error:  # a bug in the fake: fail the call visibly rather than hang the bot
            self.internal_errors.append(error)
            return self._failed(call, ApiError(500, f"Internal Server Error: fake Bot API bug: {error!r}"))
        description = None
        if isinstance(result, Described):
            result, description = result
        call.ok, call.result = True, result
        return web.json_response(ok_body(result, description), dumps=dumps)

    @staticmethod
    def _failed(call: Call, error: ApiError) -> web.Response:
        call.ok, call.error_code, call.description = False, error.code, error.description
        return web.json_response(error.body(), status=error.code, dumps=dumps)

    async def _on_file(self, request: web.Request) -> web.Response:
        """A file by the path getFile gave, as Telegram's file server sends it (unless a failure is queued)."""
        failures = self._failures.get(DOWNLOAD)
        path = request.match_info["path"]
        file = next((file for file in self.files.values() if file.file_path == path), None)
        if failures:
            error = failures.popleft().error()
        elif request.match_info["token"] != self.token:
            error = ApiError(401, "Unauthorized")
        elif file is None:
            error = ApiError(404, "Not Found")
        else:
            self.downloads.append(path)
            return web.Response(body=file.content, content_type=file.mime_type or "application/octet-stream")
        return web.json_response(error.body(), status=error.code, dumps=dumps)

    async def _on_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404, dumps=dumps)
