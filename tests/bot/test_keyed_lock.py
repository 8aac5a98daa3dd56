"""One turn at a time per chat, in arrival order: what keeps a burst of one citizen's messages answered in order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.core.keyed_lock import KeyedLock


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():  # a condition, not a delay: each pass lets the other tasks run once
        await asyncio.sleep(0)


async def test_turns_of_one_key_go_in_arrival_order_and_other_keys_do_not_wait() -> None:
    lock, order, release = KeyedLock(), [], asyncio.Event()

    async def turn(key: str, name: str) -> None:
        async with lock(key):
            order.append(name)
            if name == "first":
                await release.wait()

    first = asyncio.create_task(turn("chat", "first"))
    await _until(lambda: order == ["first"])
    queued = [asyncio.create_task(turn("chat", name)) for name in ("second", "third", "fourth")]
    await asyncio.create_task(turn("other chat", "elsewhere"))  # not held up by the busy chat
    assert order == ["first", "elsewhere"]
    release.set()
    await asyncio.gather(first, *queued)
    assert order == ["first", "elsewhere", "second", "third", "fourth"]
    assert not lock._waiting  # nothing kept for a chat nobody holds or awaits


async def test_a_waiter_cancelled_gives_up_its_place_and_the_turn_goes_on() -> None:
    lock, order, release = KeyedLock(), [], asyncio.Event()

    async def turn(name: str, hold: bool = False) -> None:
        async with lock("chat"):
            order.append(name)
            if hold:
                await release.wait()

    first = asyncio.create_task(turn("first", hold=True))
    await _until(lambda: order == ["first"])
    cancelled, last = asyncio.create_task(turn("cancelled")), asyncio.create_task(turn("last"))
    await _until(lambda: len(lock._waiting["chat"]) == 2)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    release.set()
    await asyncio.gather(first, last)
    assert order == ["first", "last"]
    assert not lock._waiting


async def test_a_turn_handed_to_a_waiter_cancelled_before_it_ran_goes_to_the_next() -> None:
    lock, order = KeyedLock(), []

    async def turn(name: str) -> None:
        async with lock("chat"):
            order.append(name)

    async with lock("chat"):
        handed, last = asyncio.create_task(turn("handed")), asyncio.create_task(turn("last"))
        await _until(lambda: len(lock._waiting["chat"]) == 2)
    handed.cancel()  # its turn was handed to it on the way out above, but it has not run yet
    with pytest.raises(asyncio.CancelledError):
        await handed
    await last
    assert order == ["last"]
    assert not lock._waiting


async def test_a_failure_inside_a_turn_ends_it() -> None:
    lock = KeyedLock()
    with pytest.raises(RuntimeError):
        async with lock("chat"):
            raise RuntimeError("handling failed")
    async with lock("chat"):
        pass
    assert not lock._waiting
