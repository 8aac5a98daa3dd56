"""Long polling that lets Telegram forget an update only once Redis holds it.

getUpdates confirms every update below the offset it is given, and the
frameworks' own pollers (aiogram's `start_polling`, PTB's `Updater`) ask
for the next batch as soon as one is handed out: the update a killed
worker was handling is then gone, and the citizen's "Đăng ký" with it.
Here each batch is first written to an inbox in Redis
(`polling_inbox` in bot/storage/keys.py: update id → the update's JSON, sealed like the
dialogs' personal data, since it is what the citizen typed), only then
confirmed by the next getUpdates, and taken out of the inbox once handled.
A poller that starts handles what is left in the inbox first: the updates
its predecessor died with (Telegram allows one poller per token, so
everything there is an orphan). The dialog store skips one whose result
was saved after all, and waits out the dead worker's lock for the others;
so each is handled once. Webhook mode needs none of this: Telegram itself
delivers an update again until a worker answers 200 (bot/channels/telegram/webhook.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from bot.channels.telegram.actions import RetryAfter, Transient
from bot.ops.logs import log_failure
from bot.storage.keys import polling_inbox
from bot.storage.sealing import Sealer, Unsealable

log = logging.getLogger(__name__)

LONG_POLL = 30  # seconds Telegram may hold a getUpdates open
MAX_IN_FLIGHT = 256  # updates being handled at once before the poller waits for one to finish
INBOX_TTL = 24 * 3600  # an inbox nobody drains (the bot moved to webhooks) does not stay forever

Update = dict[str, Any]


class UpdateSource(Protocol):
    async def fetch_updates(self, offset: int | None, timeout: int) -> list[Update]:
        """One getUpdates: the pending updates as the Bot API's JSON, confirming those below `offset`."""
        ...


class Poller:
    def __init__(
        self, source: UpdateSource, handle: Callable[[Update], Awaitable[None]], redis: Redis, sealer: Sealer,
        bot_id: int, backoff: float = 1.0,
    ) -> None:
        """`handle` gets each update's JSON once; it is answered before the update leaves the inbox."""
        self._source = source
        self._handle = handle
        self._redis = redis
        self._sealer = sealer
        self.inbox = polling_inbox(bot_id)
        self._backoff = backoff
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Fetch no more: the long poll under way is dropped (Telegram serves its updates again next time)."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until `stop` (or cancelled); then let the updates in hand finish, so they leave the inbox."""
        try:
            offset: int | None = None
            orphans_taken = False
            failures = 0
            while not self._stopping.is_set():
                if len(self._in_flight) >= MAX_IN_FLIGHT:
                    await asyncio.wait(self._in_flight.values(), return_when=asyncio.FIRST_COMPLETED)
                try:
                    if not orphans_taken:
                        offset, orphans_taken = await self._orphans(), True
                    batch = await self._unless_stopped(self._source.fetch_updates(offset, LONG_POLL))
                    if batch is None:
                        break
                except (RetryAfter, Transient, RedisError) as error:
                    failures += 1
                    pause = error.seconds if isinstance(error, RetryAfter) else min(self._backoff * failures, 30)
                    log.warning("polling: %s; trying again in %.0f s", type(error).__name__, pause)
                    await asyncio.sleep(pause)
                    continue
                failures = 0
                if batch:
                    await self._keep(batch)  # before the next getUpdates confirms them
                    offset = int(batch[-1]["update_id"]) + 1
                for update in batch:
                    self._start(update)
        finally:
            if self._in_flight:
                await asyncio.shield(asyncio.gather(*self._in_flight.values(), return_exceptions=True))

    async def _unless_stopped(self, fetch: Coroutine[Any, Any, list[Update]]) -> list[Update] | None:
        """The batch, or None when `stop` came first (the batch, never confirmed, is served again)."""
        fetching = asyncio.ensure_future(fetch)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait((fetching, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not fetching.done():
                fetching.cancel()
        if self._stopping.is_set():
            if fetching.done() and not fetching.cancelled():
                fetching.exception()  # retrieved: a failed last poll does not matter any more
            return None
        return fetching.result()

    async def _orphans(self) -> int | None:
        """Start the updates a previous poller fetched but did not finish; the offset that skips them."""
        left: dict[bytes, bytes] = await self._redis.hgetall(self.inbox)  # type: ignore[assignment]  # raw replies
        updates = [update for field, kept in left.items() if (update := await self._opened(field, kept))]
        updates.sort(key=lambda update: int(update["update_id"]))
        if updates:
            log.warning("polling: %d update(s) left unfinished by the previous run; handling them now", len(updates))
        for update in updates:
            self._start(update)
        return int(updates[-1]["update_id"]) + 1 if updates else None

    async def _opened(self, field: bytes, kept: bytes) -> Update | None:
        """The update kept under `field`; None, and out of the inbox, when no configured key opens it."""
        try:
            return orjson.loads(self._sealer.open(kept))  # type: ignore[no-any-return]
        except Unsealable:
            pass
        try:  # kept in clear by a release before sealing? (a sealed entry may start with "{" too)
            update = orjson.loads(kept)
        except ValueError:
            update = None
        if isinstance(update, dict) and "update_id" in update:
            return update
        log.error("polling: update %s in the inbox was sealed with a key no longer configured; dropped",
                  field.decode())
        await self._redis.hdel(self.inbox, field)
        return None

    async def _keep(self, batch: list[Update]) -> None:
        """Into the inbox. With Redis down they are handled all the same: each citizen is told at once
        that the bot cannot work right now (bot/core/switchboard.py), which is all a later retry could add."""
        entries: dict[FieldT, EncodableT] = {
            str(update["update_id"]): self._sealer.seal(orjson.dumps(update))
            for update in batch}
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(self.inbox, mapping=entries)
                pipe.expire(self.inbox, INBOX_TTL)
                await pipe.execute()
        except RedisError as error:
            log.warning("polling: %d update(s) not kept in the inbox: %s", len(batch), type(error).__name__)

    def _start(self, update: Update) -> None:
        update_id = int(update["update_id"])
        if update_id not in self._in_flight:  # re-served while still in hand
            self._in_flight[update_id] = asyncio.create_task(self._handled(update_id, update))

    async def _handled(self, update_id: int, update: Update) -> None:
        """Handle, then take out of the inbox; cancelled half-way (shutdown), it stays there for the next run."""
        try:
            try:
                await self._handle(update)
            except Exception as error:  # one bad update must not stop the others; it is not tried again
                log_failure(log, f"polling: update {update_id}", error)  # its type: the message may quote the update
            try:
                await self._redis.hdel(self.inbox, str(update_id))
            except RedisError as error:  # it stays in the inbox; a later start finds it handled (skipped)
                log.warning("polling: update %s stays in the inbox: %s", update_id, type(error).__name__)
        finally:
            del self._in_flight[update_id]
