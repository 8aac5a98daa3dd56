"""The Redis client for a REDIS_URL target: one server, the primary Sentinel names, or a Redis Cluster.

Every form gets the same promise (README, "Redis down"): a command that cannot connect, loses its
connection or times out is tried again on a fresh connection 3 more times within about half a second,
then its error reaches the front, which tells the citizen their progress is kept. Under Sentinel a fresh
connection first asks the sentinels where the primary is, so once a replica is promoted the next try, or
the citizen's next message, lands on it: the pool outlives the failover.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.app.redis_url import ClusterNodes, RedisTarget, SentinelService, SingleServer

REDIS_RETRIES = 3
REDIS_CONNECTIONS = 100  # per process (per node in a cluster); an update past them waits for one (up to the timeout)


def _retry() -> Retry:
    return Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.25), REDIS_RETRIES,
                 supported_errors=(RedisConnectionError, RedisTimeoutError))


def redis_client(url: str, timeout: float) -> Redis:
    """A client of one server that rides out a Redis restart and gives up quickly on a Redis that is down.

    `timeout` bounds connecting and each reply, so a hung Redis cannot hold an update for longer than
    (1 + REDIS_RETRIES) × timeout. At most REDIS_CONNECTIONS are open; in a burst, an update waits for a
    free one rather than failing (redis-py's default pool raises).
    """
    pool = BlockingConnectionPool.from_url(url, max_connections=REDIS_CONNECTIONS, timeout=timeout,
                                           socket_timeout=timeout, socket_connect_timeout=timeout, retry=_retry())
    return Redis.from_pool(pool)


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """Sentinel's pool (each new connection goes to the primary the sentinels name now) that waits for a free
    connection in a burst, as `redis_client`'s does, instead of raising."""


@asynccontextmanager
async def sentinel_client(target: SentinelService, timeout: float) -> AsyncIterator[Redis]:
    """A client of the primary the sentinels name; closes the sentinels' connections too."""
    tls: dict[str, Any] = {"ssl": True, **dict(target.ssl_options)} if target.tls else {}
    sentinel = Sentinel(
        target.sentinels,
        sentinel_kwargs={"socket_timeout": timeout, "socket_connect_timeout": timeout, **tls,
                         "username": target.sentinel_username, "password": target.sentinel_password},
        socket_timeout=timeout, socket_connect_timeout=timeout, username=target.username, password=target.password,
        db=target.db)
    primary: Redis = sentinel.master_for(
        target.service, connection_pool_class=BlockingSentinelPool, max_connections=REDIS_CONNECTIONS,
        timeout=timeout, retry=_retry(), **tls)
    try:
        yield primary
    finally:
        await primary.aclose()
        await sentinel.aclose()


def cluster_client(target: ClusterNodes, timeout: float) -> Redis:
    """A Redis Cluster client, typed as `Redis`: it has the same commands, pipelines and scripts.

    What differs: a command, script or transaction must keep to one hash slot (the keys' hash tags see
    to it, bot/storage/keys.py); it has no `connection_pool` (each node has its own) and, past
    REDIS_CONNECTIONS to one node, it raises instead of waiting.
    """
    tls: dict[str, Any] = {"ssl": True, **dict(target.ssl_options)} if target.tls else {}
    cluster = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
        username=target.username, password=target.password, max_connections=REDIS_CONNECTIONS,
        socket_timeout=timeout, socket_connect_timeout=timeout, retry=_retry(), **tls)
    return cast(Redis, cluster)


@asynccontextmanager
async def open_redis(target: RedisTarget, timeout: float) -> AsyncIterator[Redis]:
    """The client for `target`, closed on the way out."""
    if isinstance(target, SentinelService):
        async with sentinel_client(target, timeout) as primary:
            yield primary
        return
    client = redis_client(target.url, timeout) if isinstance(target, SingleServer) else cluster_client(target, timeout)
    try:
        yield client
    finally:
        await client.aclose()
