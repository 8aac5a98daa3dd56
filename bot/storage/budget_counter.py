"""The bot-wide message budget's schedule in Redis: one key, the time all the messages leased so far would have
gone at the bot's rate (the GCRA's "theoretical arrival time"), moved on by every worker's lease.

One script, one round trip, one key (any Redis Cluster slot will do). Times are
microseconds of the workers' wall clocks, which bot/core/message_budget.py
asks to agree (NTP); the key expires once the schedule is behind the clock,
so a quiet bot leaves nothing in Redis.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import message_budget

KEEP_MS = 2000  # past the schedule's end: a quiet bot's key goes, and a worker whose clock is a little behind finds it

_LEASE = """
-- KEYS[1]: the schedule's end (µs); ARGV: now (µs), slots, one slot (µs), how long to keep the key past its end (ms)
local now = tonumber(ARGV[1])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local finish = start + tonumber(ARGV[2]) * tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%.0f', finish), 'PX', math.floor((finish - now) / 1000) + tonumber(ARGV[4]))
return string.format('%.0f', start)
"""


class RedisBudgetCounter:
    def __init__(self, redis: Redis, bot_id: int | str) -> None:
        self._key = message_budget(bot_id)
        self._lease = redis.register_script(_LEASE)

    async def lease(self, now: float, count: int, interval: float) -> float:
        start = await self._lease(keys=[self._key], args=self._args(now, count, interval))
        return self.start_of(start)

    def command(self, now: float, count: int, interval: float) -> tuple[str | int, ...]:
        """The same lease as a command to send in another call's round trip (bot/storage/riders.py). By its SHA1:
        until an in-line lease has loaded the script (or after a restart) it answers NOSCRIPT, and the budget
        leases in line instead."""
        return ("EVALSHA", self._lease.sha, 1, self._key, *self._args(now, count, interval))

    @staticmethod
    def start_of(reply: bytes | str | int) -> float:
        """Where the lease starts, from the script's reply."""
        return int(reply) / 1e6

    @staticmethod
    def _args(now: float, count: int, interval: float) -> list[int]:
        return [int(now * 1e6), count, round(interval * 1e6), KEEP_MS]
