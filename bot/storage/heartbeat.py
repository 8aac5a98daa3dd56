"""A worker's sign of life in Redis, so that others can tell a dead worker from a slow one.

An answer is kept beside its dialog with the id of the worker that wrote
it, in case that worker dies before sending it. When the update comes
again (Telegram re-delivers to a webhook whose worker did not answer), the
worker that gets it sends the kept answer only once the writer's heartbeat
has run out: a writer that still beats is sending it itself, or is
handling a duplicate of the same update at the same time.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.keys import worker_heartbeat

log = logging.getLogger(__name__)

HEARTBEAT_TTL = 5.0
"""Seconds a worker's heartbeat lasts unless renewed: how long a re-delivery waits to learn whether the worker
that kept an answer died (then the answer is sent) or lives (it sends it itself)."""


def new_worker_id() -> str:
    return secrets.token_hex(8)


class Heartbeat:
    def __init__(self, redis: Redis, worker: str, ttl: float = HEARTBEAT_TTL) -> None:
        self._redis = redis
        self.worker = worker  # the id others know this worker by (what it keeps is marked with it)
        self._key = worker_heartbeat(worker)
        self._ttl_ms = max(1, int(ttl * 1000))
        self._every = ttl / 3  # two beats may be missed (a slow Redis) before others take the worker for dead

    async def run(self) -> None:
        """Beat until cancelled; a Redis outage only skips beats (the worker looks dead meanwhile, which at
        worst sends a kept answer twice, never loses one)."""
        while True:
            try:
                await self._redis.set(self._key, 1, px=self._ttl_ms)
            except RedisError as error:
                log.warning("heartbeat skipped: %s", type(error).__name__)
            await asyncio.sleep(self._every)

    async def stop(self) -> None:
        """The worker stopped gracefully, its updates finished: nothing it kept is still being sent."""
        try:
            await self._redis.delete(self._key)
        except RedisError as error:
            log.warning("heartbeat not removed (it runs out by itself): %s", type(error).__name__)


async def stopped_beating(redis: Redis, worker: str, wait: float = HEARTBEAT_TTL) -> bool:
    """Whether `worker` has stopped beating, waiting up to `wait` for its heartbeat to run out (a killed
    worker's lasts that long at the most); a worker that still beats by then is alive."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while await redis.exists(worker_heartbeat(worker)):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(min(0.1, wait / 10))
    return True
