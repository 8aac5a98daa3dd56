"""The event loop every command runs on: uvloop where it is installed, asyncio's own elsewhere.

uvloop (libuv under asyncio's API) makes each socket read and write, task
switch and callback cheaper, which is most of what a bot waiting on Redis
and the Bot API does between its own steps (issue 18: measured in
benchmarks/, see the README's Performance section). It has no Windows
build, so there, or wherever it is missing, the stock loop runs the same
code. The loop is chosen through `asyncio.Runner(loop_factory=…)`, not the
event-loop policy API that Python 3.12 deprecates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def fast_loop_factory() -> LoopFactory | None:
    """uvloop's `new_event_loop`, or None (asyncio's default loop) where uvloop is not installed."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """"uvloop" or "asyncio": for the start-up log line and the benchmark's rows."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T], fast: bool = True) -> T:
    """`asyncio.run(main)`, on uvloop when `fast` and installed (`fast=False`: the stock loop, for comparing)."""
    with asyncio.Runner(loop_factory=fast_loop_factory() if fast else None) as runner:
        return runner.run(main)
