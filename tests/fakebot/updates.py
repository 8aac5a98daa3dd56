"""Updates on their way to the bot: the getUpdates queue and the webhook, with Telegram's rules.

One queue serves both, as in Telegram: getUpdates answers from it (and is
refused with 409 while a webhook is set); the webhook loop POSTs from it, in
order. A second getUpdates ends a waiting one with 409, as when two bot
instances poll. An update is confirmed by an offset past it once it has been
handed out, so a test can re-inject an old update_id as a duplicate.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import MultipartReader

from tests.fakebot.state import Signal
from tests.fakebot.wire import ApiError, Described, dumps, read_multipart

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OTHER_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
WEBHOOK_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; "
                  "use deleteWebhook to delete the webhook first")


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@dataclass(slots=True)
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookFailure:
    """An update given up on after every delivery attempt failed (Telegram would keep trying for 24 h)."""

    update_id: int
    url: str
    status: int  # 0: not reachable


@dataclass(slots=True)
class _Queued:
    update: dict[str, Any]
    handed_out: bool = False  # returned by getUpdates at least once, so an offset past it confirms it

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


class UpdateQueue:
    def __init__(self, signal: Signal, now: Callable[[], int], *, attempts: int, timeout: float) -> None:
        self.signal = signal
        self.now = now
        self.attempts = attempts  # webhook deliveries tried per update
        self.timeout = timeout  # seconds a webhook may take to answer
        self.webhook: Webhook | None = None
        self.failures: list[WebhookFailure] = []
        self.session: aiohttp.ClientSession | None = None  # set while the server runs
        self.on_reply: Callable[[dict[str, Any]], Awaitable[None]] | None = None  # runs a method a webhook answers
        self.closing = False
        self._pending: list[_Queued] = []
        self._poll_generation = 0

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(entry.update) for entry in self._pending]

    def put(self, update: dict[str, Any]) -> None:
        self._pending.append(_Queued(copy.deepcopy(update)))
        self.signal.notify()

    # --- getUpdates -------------------------------------------------------------------------------------------

    async def long_poll(self, offset: int | None, limit: int, timeout: int) -> list[dict[str, Any]]:
        """Confirm what `offset` passes, then answer pending updates, waiting up to `timeout` seconds."""
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        self._poll_generation += 1
        mine = self._poll_generation
        self.signal.notify()  # an older poll still waiting ends with 409
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.signal.current
            batch = self._batch(limit)
            if batch:
                for entry in batch:
                    entry.handed_out = True
                return [copy.deepcopy(entry.update) for entry in batch]
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return []
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if self.webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            if self._poll_generation != mine:
                raise ApiError(409, OTHER_POLL)

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:  # keep the last -offset updates, forget the rest
            del self._pending[:offset]
            return
        self._pending = [e for e in self._pending if not (e.handed_out and e.update_id < offset)]

    def _batch(self, limit: int) -> list[_Queued]:
        """The next updates in order; stops before an id lower than its predecessor (a re-injected duplicate),
        so `offset = last update_id + 1` confirms exactly the batch, as clients compute it."""
        batch: list[_Queued] = []
        for entry in self._pending:
            if len(batch) == limit or (batch and entry.update_id <= batch[-1].update_id):
                break
            batch.append(entry)
        return batch

    # --- the webhook ------------------------------------------------------------------------------------------

    def set_webhook(self, url: str, secret: str | None, *, max_connections: int,
                    allowed_updates: list[str] | None, drop_pending: bool) -> Described:
        if drop_pending:
            self._pending.clear()
        same = self.webhook is not None and (self.webhook.url, self.webhook.secret_token) == (url, secret)
        if not same:
            self.webhook = Webhook(url, secret, max_connections, allowed_updates)
        self.signal.notify()  # queued updates now go to the webhook; a waiting poll ends
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    def delete_webhook(self, *, drop_pending: bool) -> Described:
        had = self.webhook is not None
        self.webhook = None
        if drop_pending:
            self._pending.clear()
        self.signal.notify()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def webhook_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}
        hook = self.webhook
        if hook is not None:
            info |= {"url": hook.url, "max_connections": hook.max_connections}
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info |= {"last_error_date": hook.last_error_date, "last_error_message": hook.last_error_message}
        return info

    async def run_webhook(self) -> None:
        """Deliver queued updates to the webhook one at a time, in order, retrying a few times."""
        while True:
            event = self.signal.current
            hook = self.webhook
            if hook is None or not self._pending:
                await event.wait()
                continue
            entry = self._pending[0]
            delivered = await self._deliver(hook, entry.update)
            if self._pending and self._pending[0] is entry and (delivered or self.webhook is hook):
                self._pending.pop(0)  # delivered, or given up on (a webhook changed meanwhile gets it)
            self.signal.notify()

    async def _deliver(self, hook: Webhook, update: dict[str, Any]) -> bool:
        status = 0
        for attempt in range(self.attempts):
            if self.webhook is not hook:
                return False
            status = await self.post(hook.url, update, hook.secret_token)
            if 200 <= status < 300:
                return True
            hook.last_error_date = self.now()
            hook.last_error_message = (f"Wrong response from the webhook: {status} {phrase(status)}"
                                       if status else "Connection refused")
            if attempt + 1 < self.attempts:
                await asyncio.sleep(min(0.05 * 2**attempt, 1.0))  # Telegram keeps trying for long
        self.failures.append(WebhookFailure(int(update["update_id"]), hook.url, status))
        return False

    async def post(self, url: str, update: dict[str, Any], secret: str | None) -> int:
        """POST one update as Telegram does; answers the HTTP status, 0 when the bot cannot be reached."""
        if self.session is None:
            raise RuntimeError("start() the fake Bot API first")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with self.session.post(url, data=dumps(update).encode(), headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                if 200 <= response.status < 300:
                    await self._run_reply(response)
                return response.status
        except (aiohttp.ClientError, TimeoutError):
            return 0

    async def _run_reply(self, response: aiohttp.ClientResponse) -> None:
        """A bot may answer a webhook POST with a method call (JSON, or aiogram's multipart); Telegram runs it."""
        params: dict[str, Any] = {}
        if response.content_type.startswith("multipart/"):
            params = await read_multipart(MultipartReader.from_response(response))
        elif response.content_type == "application/json":
            with suppress(ValueError):
                body = json.loads(await response.read() or b"{}")
                params = body if isinstance(body, dict) else {}
        if params.get("method") and self.on_reply is not None:
            await self.on_reply(params)
