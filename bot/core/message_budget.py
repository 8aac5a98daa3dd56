"""The bot-wide budget of messages a second (TELEGRAM_RATE), shared by every worker through Redis.

Telegram counts about 30 messages a second for a bot, whichever process
sends them. Dividing the rate by hand between workers (as before issue 18)
left each one a thirtieth of a second per message even when the others were
idle, and went wrong whenever the number of workers changed. Instead the
workers count in one Redis counter per epoch second, and each takes a slice
of that second's budget at a time (1, then 2, 4, … up to a tenth of the
rate), so most messages cost no round trip: an answer's messages are
leased together, a busy worker leases its next slice in the background
while the current one still has messages left, and a slice of the next
second ahead. Whatever the
traffic, the leases are bounded by the rate: a few dozen round trips a
second for the whole bot, however many updates it handles.

A slice leased and not used is lost for that second (the counter only
grows), which is why slices start small and halve after a second that left
some over. Workers' clocks should agree to well under a second (NTP).

When Redis cannot be reached the worker sends on a budget of its own (the
whole rate, for its process alone: with Redis down it cannot load dialogs
anyway, so few messages are in hand), says so in one warning, and tries
Redis again after `RETRY_REDIS` seconds.

`Ledger` is the arithmetic (pure); `MessageBudget` does the waiting and
the leasing, through a `BudgetCounter` (bot/storage/budget_counter.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

RETRY_REDIS = 5.0  # seconds on the local budget before Redis is tried again


class BudgetCounter(Protocol):
    async def lease(self, second: int, count: int) -> int:
        """Add `count` to the bot's counter of epoch second `second`; answer the counter's new value."""
        ...


class Ledger:
    """The messages this worker may still send in each second, and how much to lease next."""

    def __init__(self, rate: int) -> None:
        if rate < 1:
            raise ValueError("the budget needs a rate of at least one message a second")
        self.rate = rate
        self.largest_slice = max(1, rate // 10)
        self._slice = 1
        self._left: dict[int, int] = {}
        self._leases: dict[int, int] = {}  # leases granted something, per second
        self._spent: set[int] = set()  # seconds whose whole budget is leased, by any worker

    def take(self, second: int) -> bool:
        """Spend one message of `second`, if this worker holds one."""
        self._forget_before(second)
        if self._left.get(second, 0) <= 0:
            return False
        self._left[second] -= 1
        return True

    def holds(self, second: int) -> int:
        return self._left.get(second, 0)

    def spent(self, second: int) -> bool:
        """Every worker together has leased the whole of `second`: wait for the next one."""
        return second in self._spent

    def busy(self, second: int) -> bool:
        """More than one slice of `second` was needed: the next second will likely need one too."""
        return self._leases.get(second, 0) > 1

    def running_low(self, second: int) -> bool:
        """Time to lease the next slice in the background: a busy second with half a slice or less left."""
        return self.busy(second) and not self.spent(second) and self.holds(second) <= self._slice // 2

    def next_slice(self, expected: int = 1) -> int:
        """The next lease's size: the slice, or the messages known to be coming if more (within the largest)."""
        return max(self._slice, min(expected, self.largest_slice))

    def granted(self, second: int, asked: int, total: int) -> int:
        """The counter answered `total` for a lease of `asked`: keep what fits under the rate; answer it."""
        got = max(0, min(asked, self.rate - (total - asked)))
        self._left[second] = self._left.get(second, 0) + got
        if got:
            self._leases[second] = self._leases.get(second, 0) + 1
        if got < asked or total >= self.rate:
            self._spent.add(second)
        if asked >= self._slice:  # a full slice was wanted: the next may be larger
            self._slice = min(self.largest_slice, self._slice * 2)
        return got

    def _forget_before(self, second: int) -> None:
        """Past seconds are gone; a second that ended with messages left over shrinks the slice."""
        past = [earlier for earlier in self._left if earlier < second]
        if past:
            if any(self._left[earlier] > 0 for earlier in past):
                self._slice = max(1, self._slice // 2)
            for earlier in past:
                del self._left[earlier]
                self._leases.pop(earlier, None)
        self._spent = {later for later in self._spent if later >= second}


class MessageBudget:
    """Wait for a message's place in the bot-wide budget; lease from the shared counter as needed."""

    def __init__(
        self, counter: BudgetCounter, rate: float, clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`clock`: the wall clock (every worker must name the same second the same way)."""
        self._counter = counter
        self._ledger = Ledger(int(rate))
        self._local = Ledger(int(rate))  # while Redis is unreachable
        self._clock = clock
        self._sleep = sleep
        self._leasing: dict[int, asyncio.Task[None]] = {}
        self._local_until: float | None = None  # on the local budget until then

    async def acquire(self, expected: int = 1) -> None:
        """Return when one more message fits in this second's budget (at once, as a rule).

        `expected`: the messages the caller has in hand, this one included, so that one lease covers an
        answer of several messages.
        """
        while True:
            now = self._clock()
            second = int(now)
            if self._local_until is not None:
                if now >= self._local_until and second not in self._leasing:
                    self._local_until = now + RETRY_REDIS
                    self._start_lease(second)  # in the background: a Redis that hangs must not hold messages
                if self._local.take(second) or self._local_grant(second):
                    return
            elif self._ledger.take(second):
                self._lease_ahead(second)
                return
            elif not self._ledger.spent(second):
                await self._lease(second, expected)
                continue
            await self._sleep(second + 1 - now)

    async def close(self) -> None:
        """Wait for the leases in flight (so none is cut off when the process stops)."""
        if self._leasing:
            await asyncio.gather(*self._leasing.values(), return_exceptions=True)

    def _local_grant(self, second: int) -> bool:
        if self._local.spent(second):
            return False
        self._local.granted(second, self._local.rate, self._local.rate)
        return self._local.take(second)

    def _lease_ahead(self, second: int) -> None:
        """In the background: this second's next slice when running low, and, when busy, the next second's first.

        A worker sending now and then leases in line, one round trip for an answer's messages: leasing ahead
        for it would hold back a message a second from the other workers for nothing.
        """
        if self._ledger.running_low(second):
            self._start_lease(second)
        if self._ledger.busy(second) and not self._ledger.holds(second + 1) and not self._ledger.spent(second + 1):
            self._start_lease(second + 1, 1)

    async def _lease(self, second: int, expected: int) -> None:
        await asyncio.shield(self._start_lease(second, self._ledger.next_slice(expected)))

    def _start_lease(self, second: int, count: int | None = None) -> asyncio.Task[None]:
        task = self._leasing.get(second)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._leased(second, count or self._ledger.next_slice()))
            self._leasing[second] = task
            task.add_done_callback(lambda _done: self._leasing.pop(second, None))
        return task

    async def _leased(self, second: int, count: int) -> None:
        try:
            total = await self._counter.lease(second, count)
        except Exception as error:  # Redis down, or slow past its timeout: the budget must not stop the bot
            if self._local_until is None:
                log.warning("the shared message budget is unreachable (%s: %s); this worker sends up to "
                            "TELEGRAM_RATE a second on its own until Redis answers again", type(error).__name__, error)
            self._local_until = self._clock() + RETRY_REDIS
            return
        if self._local_until is not None:
            log.info("the shared message budget answers again")
            self._local_until = None
        self._ledger.granted(second, count, total)
