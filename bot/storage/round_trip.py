"""One round trip on a redis-py connection: write packed commands, read their replies, under one timeout.

The dialog store's two scripts per update (bot/storage/lua_script.py) write
to and read from a connection they hold. redis-py's own
`send_packed_command` wraps the write in `asyncio.wait_for`, which on
Python 3.11 runs it as a task of its own, and `read_response` sets up a
second timeout scope for the read: together about 70 µs of CPU per call on
the benchmark's machine, about half of the call (issue 18). Here the write
goes straight to the connection's transport, as one bytes (a Unix or TCP socket
takes a few hundred bytes at once; only a full buffer is waited for) and
the replies are read from its parser, the whole round trip under one
timeout of the connection's `socket_timeout`, kept by a watchdog shared by
all exchanges (`_Watchdog`: an `asyncio.timeout` each was 8–13 µs more).

What redis-py does on a failure is kept: a timeout or a socket error
disconnects the connection (so nothing is ever left unread on it) and
raises redis-py's `TimeoutError` or `ConnectionError`, which the client's
`Retry` retries; so does a cancellation. A connection this path does not
know (health checks, a parser without `read_response`) goes through
redis-py's public methods instead. RESP3, redis-py 8's default, is known:
its parsers' `read_response` reads past a push frame (a server's
maintenance notice) to the reply, as redis-py's own read does; this path
once took RESP2 only, and with redis-py 8 every call went the long way
unnoticed (a test now checks that `regbot run`'s clients take it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError


async def exchange(connection: Connection, packed: list[bytes], replies: int) -> list[Any]:
    """Send `packed` (already in Redis's protocol) and read `replies` replies; an error reply is returned as its
    `ResponseError`, not raised, so the replies after it are read all the same. The connection is connected."""
    if not is_lean(connection):
        return await _through_redis_py(connection, packed, replies)
    writer = connection._writer
    parser = connection._parser
    if writer is None or (transport := writer.transport).is_closing():
        raise RedisConnectionError("Connection closed by the server before write")
    answers: list[Any] = []
    watch = _watchdog().watch(connection.socket_timeout)
    try:
        # One bytes to the transport: the stream writer's `writelines` went through two more calls and a join.
        transport.write(packed[0] if len(packed) == 1 else b"".join(packed))
        if transport.get_write_buffer_size():  # the socket did not take it all: wait for room
            await writer.drain()
        for _ in range(replies):
            answers.append(await parser.read_response())  # type: ignore[attr-defined]
    except asyncio.CancelledError:
        timed_out = watch.done()
        await connection.disconnect(nowait=True)  # whoever cancelled it: its reply must not be left unread
        if not timed_out:
            raise
        raise RedisTimeoutError(f"Timeout talking to {connection._host_error()}") from None
    except OSError as error:
        watch.done()
        await connection.disconnect(nowait=True)
        raise RedisConnectionError(f"Error while talking to {connection._host_error()}: {error.args}") from error
    except BaseException:  # the connection closed under it: its reply must not be left unread
        watch.done()
        await connection.disconnect(nowait=True)
        raise
    watch.done()
    return answers


WATCHDOG_TICK = 0.01
"""How often the watchdog looks for an exchange past its `socket_timeout`: one may time out this much late."""


class _Watch:
    """One exchange's place in the watchdog (`_Watchdog.watch`)."""

    __slots__ = ("_cancelling", "_dog", "_task", "cancelled")

    def __init__(self, dog: _Watchdog | None, task: asyncio.Task[Any] | None) -> None:
        self._dog, self._task = dog, task
        self._cancelling = task.cancelling() if task is not None else 0
        self.cancelled = False  # set by the watchdog when it cancelled the task

    def done(self) -> bool:
        """The exchange is over: whether the watchdog cancelled it, and that was the task's only cancellation
        (as `asyncio.timeout` decides whether a cancellation is its own timeout)."""
        if self._dog is None or self._task is None:
            return False
        self._dog.watched.pop(self._task, None)
        return self.cancelled and self._task.uncancel() <= self._cancelling


class _Watchdog:
    """The timeouts of every exchange in flight on one event loop, kept by one timer that ticks while there are
    exchanges. An `asyncio.timeout` per exchange (a `Timeout`, a timer set and cancelled) cost 8–13 µs of CPU
    on each of every update's two calls on the benchmark's machine (issue 18); here an exchange only notes its
    deadline, and one past it is cancelled and raises redis-py's `TimeoutError`, as before."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.watched: dict[asyncio.Task[Any], tuple[float, _Watch]] = {}
        self._ticking = False

    def watch(self, timeout: float | None) -> _Watch:
        task = asyncio.current_task(self.loop) if timeout is not None else None
        if task is None or timeout is None:  # no timeout (or no task): nothing to watch
            return _Watch(None, None)
        watch = _Watch(self, task)
        self.watched[task] = (self.loop.time() + timeout, watch)
        if not self._ticking:
            self._ticking = True
            self.loop.call_later(WATCHDOG_TICK, self._tick)
        return watch

    def _tick(self) -> None:
        now = self.loop.time()
        for task, (deadline, watch) in list(self.watched.items()):
            if deadline <= now and not watch.cancelled:
                watch.cancelled = True
                task.cancel()
        self._ticking = bool(self.watched)
        if self._ticking:
            self.loop.call_later(WATCHDOG_TICK, self._tick)


_watchdogs: dict[asyncio.AbstractEventLoop, _Watchdog] = {}


def _watchdog() -> _Watchdog:
    """The running loop's watchdog (one process runs one loop; tests run one after another)."""
    loop = asyncio.get_running_loop()
    dog = _watchdogs.get(loop)
    if dog is None:
        _watchdogs.clear()  # the loops before are closed
        dog = _watchdogs[loop] = _Watchdog(loop)
    return dog


def is_lean(connection: Connection) -> bool:
    """Whether this connection's parts are those `exchange` uses (redis-py 5 to 8, RESP2 or 3, no health
    checks): else it goes through redis-py's `send_packed_command` and `read_response`."""
    return (connection.protocol in (2, "2", 3, "3", None) and not connection.health_check_interval
            and hasattr(connection, "_writer") and hasattr(connection._parser, "read_response"))


async def _through_redis_py(connection: Connection, packed: list[bytes], replies: int) -> list[Any]:
    await connection.send_packed_command(packed)
    answers: list[Any] = []
    for _ in range(replies):
        try:
            answers.append(await connection.read_response())
        except ResponseError as error:
            answers.append(error)
    return answers
