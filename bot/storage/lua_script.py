"""A Lua script called with one EVALSHA straight on a pooled connection: the store's two calls per update.

redis-py's `Redis.execute_command` wraps every command in layers the
dialog store does not need on its hot path (observability timing and
metrics hooks, command-name lookups, response callbacks, a second timeout
scope), and its `Script` object adds its own dispatch: about two thirds of
the client's CPU per command on the benchmark's machine (issue 18,
README "Performance"). Its pool also checks, each time it hands out a
connection, that nothing is left unread on it (a zero-timeout read, costly
in asyncio). Here the scripts keep a few connections taken from the
client's own pool (`HeldConnections`: taken once, closed with the client),
send EVALSHA on one and read the reply in one timed exchange
(`bot/storage/round_trip.py`: without redis-py's task per write and second
timeout scope); what matters is kept as redis-py does it, with redis-py's
own parts:

- connecting, AUTH/SELECT, TLS, a Sentinel's master lookup, socket
  timeouts, and dropping a connection whose reply was cut short
  (a cancellation, a timeout: so nothing is ever left unread on one kept
  here) are the pooled connection's, which reconnects by itself;
- a connection or timeout error is retried on a fresh connection with the
  client's `Retry` (bot/app/redis_clients.py: 3 more tries within half a
  second), after one immediate try on a fresh connection when a kept one
  turns out closed (the pool would have noticed before handing it out); the
  store's scripts are written for that (a retry finds its own lock or its
  own save done). Each of those tries connects once: a connection's own
  `connect()` retries with the same `Retry`, and nested in the call's it
  made 4 × 4 tries, so a Redis that hung (or a Sentinel primary whose
  machine vanished) held an update for 13 timeouts, not 4;
- NOSCRIPT (a restarted or failed-over server that never saw the script) is
  answered by EVAL of the source, which runs it and loads it in one round
  trip.

A Redis Cluster client has no single pool (each key's node has its own),
so there the script goes through redis-py's `Script`, which routes it; so
does a single-connection client, which locks its one connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.connection import Connection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.typing import EncodableT, KeyT

from bot.storage.round_trip import exchange

try:
    from hiredis import pack_command as hiredis_pack
except ImportError:  # no wheel for this platform: redis-py packs in Python
    hiredis_pack = None  # type: ignore[assignment]

T = TypeVar("T")

HELD_CONNECTIONS = 16
"""Connections kept for the scripts, out of the pool's (REDIS_CONNECTIONS in bot/app/runtime.py): past that
many calls at once, a call borrows one from the pool for its duration, as any other command does."""


class HeldConnections:
    """A few connections taken from `redis`'s pool and kept for the scripts' calls; the pool closes them with
    the client (`Redis.aclose` disconnects the connections in use too)."""

    def __init__(self, redis: Redis, size: int = HELD_CONNECTIONS) -> None:
        self._redis = redis  # its pool is read when a connection is taken: a cluster client has none of its own
        self._idle: list[Connection] = []
        self._taken = 0
        self._size = size

    def idle(self) -> tuple[Connection, bool] | None:
        """A kept connection if one is idle, without a coroutine's cost (`take` when none is)."""
        return (self._idle.pop(), True) if self._idle else None

    async def take(self) -> tuple[Connection, bool]:
        """A connection, and whether it is one of the kept ones (else `give_back` returns it to the pool)."""
        if self._idle:
            return self._idle.pop(), True
        connection: Connection = await self._redis.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        if self._taken < self._size:
            self._taken += 1
            return connection, True
        return connection, False

    async def give_back(self, connection: Connection, kept: bool) -> None:
        if kept:
            self._idle.append(connection)
        else:
            await self._redis.connection_pool.release(connection)

    def keep(self, connection: Connection) -> None:
        """`give_back` of a kept connection, without a coroutine's cost."""
        self._idle.append(connection)


class LuaScript:
    def __init__(self, redis: Redis, source: str, connections: HeldConnections) -> None:
        """`connections`: shared by the scripts of one client; unused for a cluster or single-connection one."""
        self._source = source
        self._redis = redis
        self._script = redis.register_script(source)  # its SHA1, and the way for clients without a single pool
        self._connections = connections
        # One pool to borrow from: a plain client (a Sentinel one too), not a cluster or single-connection one.
        self._pooled = isinstance(redis, Redis) and not redis.single_connection_client

    async def __call__(
        self, keys: Sequence[KeyT], args: Sequence[EncodableT], also: tuple[EncodableT, ...] | None = None,
        on_also: Callable[[Any], None] | None = None,
    ) -> Any:
        """Run the script; `also`: one more command sent in the same round trip, after it (for a key in another
        Redis Cluster slot than the script's), whose error, if any, is raised once both replies are read; or,
        with `on_also`, handed to it with the reply (bot/storage/riders.py)."""
        if not self._pooled:
            return await self._through_client(keys, args, also, on_also)
        connection, kept = self._connections.idle() or await self._connections.take()
        try:
            failed: Exception | None = None
            if kept and connection.is_connected:  # the common case, tried without the retry's layers (`_retried`)
                try:
                    return await self._run(connection, keys, args, also, on_also)
                except Exception as error:
                    failed = error
            return await _retried(connection, kept, lambda: self._run(connection, keys, args, also, on_also), failed)
        finally:
            if kept:
                self._connections.keep(connection)
            else:
                await self._connections.give_back(connection, kept)

    async def each(self, calls: Sequence[tuple[Sequence[KeyT], Sequence[EncodableT]]]) -> list[Any]:
        """Run the script once for each (keys, args), all in one round trip, and answer each call's result: an
        error reply is its result, not raised (NOSCRIPT is run again from the source first)."""
        if not self._pooled:
            return await self._each_through_client(calls)
        connection, kept = await self._connections.take()
        try:
            return await _retried(connection, kept, lambda: self._run_each(connection, calls), None)
        finally:
            await self._connections.give_back(connection, kept)

    async def _run_each(
        self, connection: Connection, calls: Sequence[tuple[Sequence[KeyT], Sequence[EncodableT]]],
    ) -> list[Any]:
        # The first by its source: a server that never saw the script (restarted, failed over) loads it there, and
        # the others, after it on the connection, find it. By its SHA1 alone, a batch sent to such a server came
        # back all NOSCRIPT and was sent again whole, each call by its source (a thousand on the benchmark's run).
        packed: list[bytes] = []
        for index, (keys, args) in enumerate(calls):
            script = ("EVAL", self._source) if index == 0 else ("EVALSHA", self._script.sha)
            packed += _packed(connection, (*script, len(keys), *keys, *args))
        results = await exchange(connection, packed, len(calls))
        forgotten = [index for index, result in enumerate(results) if isinstance(result, NoScriptError)]
        if forgotten:
            evaluated: list[bytes] = []
            for index in forgotten:
                keys, args = calls[index]
                evaluated += _packed(connection, ("EVAL", self._source, len(keys), *keys, *args))
            for index, result in zip(forgotten, await exchange(connection, evaluated, len(forgotten)), strict=True):
                results[index] = result
        return results

    async def _each_through_client(self, calls: Sequence[tuple[Sequence[KeyT], Sequence[EncodableT]]]) -> list[Any]:
        """`each` in a pipeline (a cluster's sends each call to its key's node): EVALSHA alone, without the
        SCRIPT EXISTS redis-py sends before a pipeline's scripts; loaded and sent again after a NOSCRIPT."""
        for _ in range(2):
            async with self._redis.pipeline(transaction=False) as pipe:
                for keys, args in calls:
                    pipe.evalsha(self._script.sha, len(keys), *keys, *args)
                results: list[Any] = await pipe.execute(raise_on_error=False)
            if not any(isinstance(result, NoScriptError) for result in results):
                break
            await self._redis.script_load(self._source)  # a node that restarted, or never ran it
        return results

    async def _through_client(
        self, keys: Sequence[KeyT], args: Sequence[EncodableT], also: tuple[EncodableT, ...] | None,
        on_also: Callable[[Any], None] | None = None,
    ) -> Any:
        if also is None:
            return await self._script(keys=keys, args=args)
        async with self._redis.pipeline(transaction=False) as pipe:  # a cluster's: each command to its key's node
            pipe.evalsha(self._script.sha, len(keys), *keys, *args)
            pipe.execute_command(*also)
            result, after = await pipe.execute(raise_on_error=False)
        if on_also is not None:
            on_also(after)
        elif isinstance(after, Exception):
            raise after
        if isinstance(result, NoScriptError):  # a node restarted, or failed over, since the script was loaded
            return await self._script(keys=keys, args=args)
        if isinstance(result, Exception):
            raise result
        return result

    async def _run(
        self, connection: Connection, keys: Sequence[KeyT], args: Sequence[EncodableT],
        also: tuple[EncodableT, ...] | None, on_also: Callable[[Any], None] | None = None,
    ) -> Any:
        packed = _packed(connection, ("EVALSHA", self._script.sha, len(keys), *keys, *args))
        if also is not None:
            packed += _packed(connection, also)
        # Both replies are read before either error is raised: the connection stays usable.
        result, *after = await exchange(connection, packed, 1 if also is None else 2)
        if after:
            if on_also is not None:
                on_also(after[0])
            elif isinstance(after[0], ResponseError):
                raise after[0]
        if isinstance(result, NoScriptError):  # a server that never saw it (restarted, failed over): EVAL runs it
            evaluated = _packed(connection, ("EVAL", self._source, len(keys), *keys, *args))
            [result] = await exchange(connection, evaluated, 1)
        if isinstance(result, ResponseError):
            raise result
        return result


class Commands:
    """Plain commands sent together in one round trip the scripts' way (a kept connection, one timed exchange,
    the same reconnects and retries), for a part whose few commands a redis-py pipeline would cost several times
    over (`PasswordLinks.issue`: its pipeline was about 300 µs of CPU). `pooled` says whether it applies: a
    Redis Cluster client (each key's node its own pool) or a single-connection one keeps its pipeline."""

    def __init__(self, redis: Redis, size: int = 1) -> None:
        self.pooled = isinstance(redis, Redis) and not redis.single_connection_client
        self._connections = HeldConnections(redis, size)

    async def __call__(self, *commands: tuple[EncodableT, ...]) -> list[Any]:
        """Each command's reply, in order; an error reply is its result, not raised."""
        connection, kept = await self._connections.take()
        try:
            return await _retried(connection, kept, lambda: self._send(connection, commands), None)
        finally:
            await self._connections.give_back(connection, kept)

    @staticmethod
    async def _send(connection: Connection, commands: tuple[tuple[EncodableT, ...], ...]) -> list[Any]:
        packed: list[bytes] = []
        for command in commands:
            packed += _packed(connection, command)
        return await exchange(connection, packed, len(commands))


_ONE_TRY = Retry(NoBackoff(), 0)


async def _connect_once(connection: Connection) -> None:
    """`connection.connect()` with one try: the call's retries (`LuaScript.__call__`) are the only ones.

    `connect()` retries with the connection's `Retry`, the very one the call retries with; the connection is
    this call's alone while it runs, so it is given one try for the length of this connect.
    """
    retry, connection.retry = connection.retry, _ONE_TRY
    try:
        await connection.connect()  # type: ignore[no-untyped-call]
    finally:
        connection.retry = retry


async def _retried(
    connection: Connection, kept: bool, send: Callable[[], Awaitable[T]], failed: Exception | None,
) -> T:
    """`send` with the client's retries (`_on` each try); `failed`: the error of a first try the caller made
    itself on a kept, connected connection (`LuaScript.__call__`, the common case, without these layers), taken
    as `_on`'s own first try would: a connection error is tried again at once on a fresh connection, any other
    goes to the client's `Retry` as if raised here (counted, retried, or raised as it decides)."""
    first = failed

    async def attempt() -> T:
        nonlocal first
        if first is None:
            return await _on(connection, kept, send)
        error, first = first, None
        if not isinstance(error, RedisConnectionError):
            raise error
        await connection.disconnect()  # as `_on` does: at once on a fresh one, before the client's retries
        return await _on(connection, kept, send)

    return await connection.retry.call_with_retry(attempt, lambda error: connection.disconnect())


async def _on(connection: Connection, kept: bool, send: Callable[[], Awaitable[T]]) -> T:
    """`send` on `connection`, connected first as the pool would; a kept one found closed is replaced at once."""
    if kept and connection.is_connected:  # idle since its last call: Redis may have closed it (its `timeout`)
        try:
            return await send()
        except RedisConnectionError:  # at once on a fresh one, before (and whatever) the client's retries
            await connection.disconnect()
    if not connection.is_connected:  # as the pool does: a Sentinel's connection asks where the primary is now
        await _connect_once(connection)
    return await send()


def _packed(connection: Connection, command: tuple[EncodableT, ...]) -> list[bytes]:
    """The command in Redis's protocol: by hiredis in one call where installed (redis-py's packer encodes each
    argument in Python first, 7× the time for a save's 18 arguments), else by redis-py's."""
    if hiredis_pack is None:
        return connection.pack_command(*command)
    return [hiredis_pack(command)]  # type: ignore[arg-type]  # str, bytes, int: what the store sends
