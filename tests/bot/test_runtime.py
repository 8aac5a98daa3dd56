"""Wiring from settings: a lock that outlives the slowest portal call, a Redis client that gives up quickly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.app.redis_clients import REDIS_CONNECTIONS, redis_client
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.portal.client import longest_call


def test_the_slowest_portal_call_counts_every_try_and_pause() -> None:
    assert longest_call(10) == pytest.approx(30.7)  # three tries of 10 s, pauses of 0.2 and 0.5 s


async def test_a_lock_shorter_than_the_slowest_portal_call_is_refused_at_start(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, portal_timeout=10, dialog_lock_ttl=30)  # type: ignore[call-arg]
    with pytest.raises(SystemExit, match="DIALOG_LOCK_TTL"):
        async with running(settings):
            pass


async def test_a_redis_that_is_down_fails_the_command_instead_of_hanging(tmp_path: Path) -> None:
    client = redis_client(f"unix://{tmp_path / 'nobody-listens.sock'}", timeout=1)
    try:
        with pytest.raises(RedisConnectionError):
            await client.get("anything")
    finally:
        await client.aclose()


async def test_a_burst_beyond_the_connection_limit_waits_instead_of_failing(redis_url: str) -> None:
    client = redis_client(redis_url, timeout=5)
    try:
        # Each BLPOP holds a connection for 0.2 s: more at once than the pool has must queue, not raise.
        answers = await asyncio.gather(*(client.blpop(["empty"], timeout=0.2) for _ in range(REDIS_CONNECTIONS + 50)))
        assert answers == [None] * (REDIS_CONNECTIONS + 50)
    finally:
        await client.aclose()
