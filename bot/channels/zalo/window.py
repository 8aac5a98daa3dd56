"""Zalo's 7-day window: a consultation message reaches a citizen only within 7 days of their last interaction.

Outside it Zalo refuses the message (-230), so a reminder or a staff reply
must not be attempted then: staff are told instead. Each interaction (a
message, a press, a follow) opens the window again by writing its time
beside the citizen's dialog, with the window's length as its expiry; while
that key lives the window is open. A -230 all the same (an interaction Zalo
counted differently) closes it here too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from redis.asyncio import Redis

from bot.storage import DialogKey

WINDOW = timedelta(days=7)

_LATER = """
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
if kept >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


class ConsultationWindow:
    def __init__(self, redis: Redis, clock: Callable[[], datetime], window: timedelta = WINDOW) -> None:
        self._redis = redis
        self._clock = clock
        self._window = window

    async def interacted(self, key: DialogKey, at: datetime) -> None:
        """The citizen interacted `at` (the event's own time): the window is open until `at` + 7 days."""
        left = at + self._window - self._clock()
        if left > timedelta(0):  # an event handled late never shortens the window a later one opened
            await self._redis.eval(_LATER, 1, key.interacted, int(at.timestamp() * 1000),
                                   int(left.total_seconds() * 1000))

    async def is_open(self, key: DialogKey) -> bool:
        return bool(await self._redis.exists(key.interacted))

    async def forget(self, key: DialogKey) -> None:
        """The citizen deleted their data (/delete): when they last wrote goes too; their next message opens the
        window again."""
        await self._redis.delete(key.interacted)

    async def closed(self, key: DialogKey) -> None:
        """Zalo answered -230 or -232: the window is closed whatever was recorded."""
        await self._redis.delete(key.interacted)
