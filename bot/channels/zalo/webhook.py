"""`POST /zalo/webhook`: Zalo's events, checked, kept in the inbox, answered 200 at once, handled after.

Zalo wants its 200 within about 2 seconds, so the answer does not wait for
the event to be handled (a portal call may take longer): once the event is
in the Redis inbox (inbox.py) it is answered, and handled in a task of its
own, which `InFlight` lets a shutdown finish. Refused before anything is
kept: a body that is no event (400), a wrong signature or another app's
event (401, logged), an event older than assumptions.py's WEBHOOK_MAX_AGE
or from the future (400, logged: a replay, or a retry Zalo should give up).
An event whose id was taken already (Zalo's retry of an event answered
late, a duplicate) gets 200 and nothing more. If Redis cannot keep it, 503:
Zalo delivers it again.

A citizen's events are handled one after the other in the order they were
taken (events taken over from a dead worker: in the order of their
timestamps): each is read (the window, a numbered list's choice, a
picture) before the dialog's turn is taken, so two messages sent in quick
succession would otherwise reach the dialog in either order, the second
answered as if it were the first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web
from redis.exceptions import RedisError

from bot.channels.zalo import assumptions
from bot.channels.zalo.events import UnreadableEvent, ZaloEvent, read_event
from bot.channels.zalo.inbox import ZaloInbox
from bot.channels.zalo.signature import HEADER, signed
from bot.core.inflight import InFlight
from bot.core.keyed_lock import KeyedLock
from bot.ops.logs import log_failure

log = logging.getLogger(__name__)

PATH = "/zalo/webhook"


class ZaloWebhook:
    def __init__(
        self, app_id: str, secret: str, inbox: ZaloInbox, handle: Callable[[ZaloEvent], Awaitable[object]],
        in_flight: InFlight, clock: Callable[[], float] = time.time,
        max_age: float = assumptions.WEBHOOK_MAX_AGE,
    ) -> None:
        """`secret`: ZaloConfig.webhook_secret; `handle` gets each event once, after its 200."""
        self._app_id = app_id
        self._secret = secret
        self._inbox = inbox
        self._handle = handle
        self._in_flight = in_flight
        self._clock = clock
        self._max_age = max_age
        self._tasks: set[asyncio.Task[None]] = set()
        self._citizens = KeyedLock()  # one event at a time per citizen, first come first served

    def mount(self, app: web.Application, path: str = PATH) -> None:
        app.router.add_post(path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            event = read_event(orjson.loads(raw))
        except (ValueError, UnreadableEvent) as error:  # orjson's JSONDecodeError is a ValueError
            log.warning("Zalo webhook: unreadable event: %s", error if isinstance(error, UnreadableEvent)
                        else type(error).__name__)
            return web.Response(status=400)
        header = request.headers.get(HEADER, "")
        if str(event.body.get("app_id", "")) != self._app_id or not signed(
                header, self._app_id, raw, str(event.body["timestamp"]), self._secret):
            log.warning("Zalo webhook: an event without the right signature from %s", request.remote)
            return web.Response(status=401)
        age = self._clock() - event.timestamp_ms / 1000
        if not -assumptions.FUTURE_SKEW <= age <= self._max_age:
            log.warning("Zalo webhook: a %s event %.0f s %s refused", event.name, abs(age),
                        "old" if age > 0 else "ahead of this clock")
            return web.Response(status=400)
        if event.ignored:
            return web.Response(status=200)
        try:
            taken = await self._inbox.take(event, raw)
        except RedisError as error:
            log.warning("Zalo webhook: event not kept (%s); Zalo will deliver it again", type(error).__name__)
            return web.Response(status=503)
        if taken:
            self.start(event)
        else:
            log.info("Zalo webhook: event %s came again; taken already", event.event_id)
        return web.Response(status=200)

    async def take_over(self, dead: Callable[[str], Awaitable[bool]]) -> int:
        """Handle the events left in the inbox by workers that are `dead`; answer how many (at start, then
        now and then: bot/storage/heartbeat.py's `stopped_beating` tells a dead worker)."""
        orphans = sorted((read_event(orjson.loads(raw)) for raw in await self._inbox.orphans(dead)),
                         key=lambda event: event.timestamp_ms)
        for event in orphans:
            self.start(event)
        return len(orphans)

    def start(self, event: ZaloEvent) -> None:
        """Handle a kept event in a task of its own (also for one taken over from a dead worker)."""
        task = asyncio.create_task(self._handled(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handled(self, event: ZaloEvent) -> None:
        """Handle, then take out of the inbox; cancelled half-way (shutdown), it stays there for another worker."""
        with self._in_flight.track():
            try:
                async with self._citizens(event.user_id):  # taken at once: the task's first step
                    await self._handle(event)
            except Exception as error:  # one bad event must not stop the others; it is not tried again
                log_failure(log, f"Zalo webhook: a {event.name} event", error)  # its type: it may quote the citizen
            try:
                await self._inbox.done(event.event_id)
            except RedisError as error:  # it stays; a later sweep finds it handled (the store skips it)
                log.warning("Zalo webhook: event %s stays in the inbox: %s", event.event_id, type(error).__name__)
