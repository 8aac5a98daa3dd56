"""The OA's sending pace: one schedule for all of its messages, whichever worker sends them, and a pause after -32.

Zalo counts its rate per OA (assumptions.py's SEND_RATE and SEND_BURST are
guesses, kept well under what an OA has been seen to take), so the workers
share one schedule of slots in Redis, as Telegram's bot-wide budget does
(bot/core/message_budget.py over bot/storage/budget_counter.py, keyed by the
OA): a worker leases a few slots at a time, and its lease rides in the round
trip that locks the citizen's dialog when it holds none, so the common path
makes no round trip of its own for it. A -32 stops every send of the worker
that got it for RATE_LIMIT_PAUSE, doubled while -32s follow each other (the
other workers find their own -32 if the OA is still over its rate).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.channels.zalo import assumptions
from bot.core.message_budget import BudgetCounter, MessageBudget, Schedule

RATE_NAME = "the OA's SEND_RATE"  # for the budget's warning when Redis cannot be reached


def oa_budget(counter: BudgetCounter | None = None, clock: Callable[[], float] = time.time,
              sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> MessageBudget:
    """The OA's schedule at assumptions.py's rate and burst; `counter`: where it is shared (a
    `RedisBudgetCounter` keyed by the OA), None: this process's alone (a test's, or a tool's)."""
    return MessageBudget(counter or Schedule(), assumptions.SEND_RATE, clock, sleep,
                         burst=assumptions.SEND_BURST / assumptions.SEND_RATE, rate_name=RATE_NAME)


class SendPace:
    def __init__(
        self, budget: MessageBudget | None = None, pause: float = assumptions.RATE_LIMIT_PAUSE,
        monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`budget`: the OA's schedule shared by its workers (`oa_budget`); None: one kept by this process."""
        self._budget = budget or oa_budget(sleep=sleep)
        self._pause = pause
        self._limited_in_a_row = 0
        self._held_until = float("-inf")
        self._monotonic = monotonic
        self._sleep = sleep

    @property
    def budget(self) -> MessageBudget:
        """The OA's schedule this pace waits on."""
        return self._budget

    async def slot(self) -> None:
        """Wait for the OA's next slot to send (and out of a -32's pause)."""
        held = self._held_until - self._monotonic()
        if held > 0:
            await self._sleep(held)
        await self._budget.acquire()

    def rate_limited(self) -> float:
        """Zalo answered -32: hold every send for the pause (doubled at each -32 in a row); answer it."""
        pause = self._pause * 2.0 ** min(self._limited_in_a_row, 6)
        self._limited_in_a_row += 1
        self._held_until = max(self._held_until, self._monotonic() + pause)
        return pause

    def went_through(self) -> None:
        self._limited_in_a_row = 0
