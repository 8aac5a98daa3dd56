"""The bot-wide message budget's counter in Redis: one key per epoch second, counted by all workers.

One pipeline (INCRBY and EXPIRE, one round trip) per lease; the key lives two
seconds longer than its second, so no one has to clean up. Used by
bot/core/message_budget.py, which decides how much to lease and when.
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import message_budget

KEEP_S = 3  # the second itself, and a little for a worker whose clock is behind


class RedisBudgetCounter:
    def __init__(self, redis: Redis, bot_id: int | str) -> None:
        self._redis = redis
        self._bot = bot_id

    async def lease(self, second: int, count: int) -> int:
        key = message_budget(self._bot, second)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, count)
            pipe.expire(key, KEEP_S)
            total, _expiry = await pipe.execute()
        return int(total)
