"""Zalo's webhook events kept in Redis from the moment they are taken until they are handled.

Zalo wants its 200 within about 2 seconds, and a registration step can take
longer (the portal), so the webhook answers as soon as the event is safe
here, and handles it after. If the worker dies in between, the event is in
the inbox, marked with the worker handling it; another worker takes it over
once that one's heartbeat has run out (bot/storage/heartbeat.py), and the
dialog store skips it if its result was saved after all, as for the polling
inbox (bot/channels/telegram/polling.py) whose design this follows. Unlike
polling, several webhook workers share one inbox, hence the owners.

An event's id is remembered (`ZaloKeys.seen`) in the same script that puts
it in the inbox, so a repeat (Zalo's retry, a duplicate, a replay) is
refused while it is remembered, and a taken event is never lost to it. The
inbox holds what citizens wrote: each event is sealed there like the
dialogs' personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bot.channels.zalo import assumptions
from bot.channels.zalo.events import ZaloEvent
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer, Unsealable

log = logging.getLogger(__name__)

INBOX_TTL = 24 * 3600  # an inbox nobody drains (Zalo turned off) does not stay forever

_TAKE = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 1
"""

_CLAIM = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return false end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return redis.call('HGET', KEYS[1], ARGV[1])
"""


class ZaloInbox:
    def __init__(self, redis: Redis, sealer: Sealer, keys: ZaloKeys, worker: str,
                 seen_ttl: float = assumptions.SEEN_EVENT_TTL) -> None:
        self._redis = redis
        self._sealer = sealer
        self._keys = keys
        self._worker = worker
        self._seen_ms = int(seen_ttl * 1000)

    async def take(self, event: ZaloEvent, raw: bytes) -> bool:
        """Keep the event (its body as Zalo sent it) for this worker; False when its id was taken already."""
        keys = self._keys
        taken = await self._redis.eval(
            _TAKE, 3, keys.seen(event.event_id), keys.inbox, keys.inbox_owners,
            self._seen_ms, event.event_id, self._sealer.seal(raw), self._worker, INBOX_TTL)
        return bool(taken)

    async def done(self, event_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._keys.inbox, event_id)
            pipe.hdel(self._keys.inbox_owners, event_id)
            await pipe.execute()

    async def orphans(self, dead: Callable[[str], Awaitable[bool]]) -> list[bytes]:
        """Take over the events whose worker is `dead` (its heartbeat ran out); answer their bodies."""
        owners: dict[bytes, bytes] = await self._redis.hgetall(self._keys.inbox_owners)  # type: ignore[assignment]  # raw replies
        taken = []
        for field, owner in owners.items():
            if owner.decode() == self._worker or not await dead(owner.decode()):
                continue
            sealed = await self._redis.eval(
                _CLAIM, 2, self._keys.inbox, self._keys.inbox_owners, field, owner, self._worker)
            if sealed is None:
                continue  # another worker claimed it first, or it was finished meanwhile
            try:
                taken.append(self._sealer.open(sealed))
            except Unsealable:
                log.error("Zalo inbox: event %s was sealed with a key no longer configured; dropped", field.decode())
                await self.done(field.decode())
        if taken:
            log.warning("Zalo inbox: %d event(s) left by a worker that died; handling them now", len(taken))
        return taken
