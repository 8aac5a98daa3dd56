"""The updates being handled right now, so that a shutdown can let them finish.

aiogram runs each polled update as a task of its own that stopping the
polling does not wait for; webhook requests and python-telegram-bot wait
for theirs, but only as long as they are given. Whatever the framework,
the front marks each update here while it is handled, and `drain` waits
for them all — then, once the grace period is over, cancels the rest, which
releases their dialog locks (the store unlocks on any exit) while Redis is
still open.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)


class InFlight:
    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[object], int] = {}  # a task may enter twice (staff acting for a citizen)
        self._idle = asyncio.Event()
        self._idle.set()

    def __len__(self) -> int:
        return len(self._tasks)

    def track(self) -> InFlight:
        """`with in_flight.track():` around an update's handling. The tracker itself is the context manager
        (no generator and no object per update: issue 18); the task is looked up again on exit, as it is the
        same one."""
        return self

    def __enter__(self) -> None:
        task = asyncio.current_task()
        assert task is not None, "tracked work runs in a task"
        self._tasks[task] = self._tasks.get(task, 0) + 1
        self._idle.clear()

    def __exit__(self, *exc_info: object) -> None:
        task = asyncio.current_task()
        assert task is not None, "tracked work runs in a task"
        depth = self._tasks.pop(task) - 1
        if depth:
            self._tasks[task] = depth
        elif not self._tasks:
            self._idle.set()

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for the work in flight, then cancel what is left; answers how many."""
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await self._idle.wait()
            return 0
        except TimeoutError:
            left = list(self._tasks)
            log.warning("shutdown: %d update(s) still being handled after the grace period; cancelling them",
                        len(left))
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)
            return len(left)
