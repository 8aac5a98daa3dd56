"""The bot-wide budget of messages a second (TELEGRAM_RATE), shared by every worker through Redis.

Telegram counts about 30 messages a second for a bot, whichever process
sends them, and (as its 429s show) with a bucket that refills continuously,
not per calendar second. Counting per epoch second (the first version of
issue 18) let 30 messages go at the end of one second and 30 more at the
start of the next, which such a bucket refuses; and a message that missed
its second slept until the next one, where newer messages could take the
budget before it, so under load a few waited several seconds.

So the workers share one schedule instead, the generic cell rate algorithm
(GCRA) over Redis: a single number, the time at which the bot's messages
leased so far would all have gone at the steady rate (the "theoretical
arrival time"). Leasing `k` messages moves it on by `k` intervals (one
script, one round trip; bot/storage/budget_counter.py) and answers where
the lease's slots start. A message may go up to `BURST_S` before its slot
(a burst after a quiet spell) and not later than `LATE_S` after it (a
slot not used by then is dropped): any span of time then holds at most
`rate × (span + BURST_S + LATE_S) + 1` messages, which stays within
Telegram's bucket of a second's worth with room for the message's trip
and the workers' clocks (NTP) to differ. Slots are handed out in the order
they were asked for, across workers (the schedule's order) and within one
(a first-come lock), so the oldest message waiting always goes first.

A worker that holds no slots when an update comes (it sends now and then:
its slots last `LATE_S`) leases two in the round trip that locks the
dialog (`ride`, bot/storage/riders.py), so its answer needs no round trip
of its own; the in-line lease is left for a second message beyond those.
A worker leases more than its answer needs only when it sends often (a
slice that doubles, up to `LARGEST_SLICE_S` of the rate, while it leases
again within a second, and halves when slots go unused), and then leases
its next slice in the background when half of one is left, so a busy
worker makes a few round trips a second for all its messages and they
seldom wait for one. A slot leased and
not used costs the others nothing when the bot is quiet (the schedule is
behind the clock again before anyone needs it) and one interval when it
is busy.

When Redis cannot be reached the worker keeps the same schedule by itself
(the whole rate, for its process alone: with Redis down it cannot load
dialogs anyway, so few messages are in hand), says so in one warning, and
tries Redis again after `RETRY_REDIS` seconds.

`Schedule` is the arithmetic (pure, also the local fallback);
`MessageBudget` does the leasing and the waiting, through a
`BudgetCounter`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)

RETRY_REDIS = 5.0  # seconds on the local schedule before Redis is tried again
BURST_S = 0.5  # how far ahead of its slot a message may go: half a second's worth at once after a quiet spell
LATE_S = 0.25  # how long after its slot a leased message may still go; dropped after that
LARGEST_SLICE_S = 0.2  # a lease covers at most this much of the rate (6 messages at 30 a second)
BUSY_S = 1.0  # a worker that leases again within this is busy: its slice grows
RIDING_SLOTS = 2  # leased with a dialog's lock when none are held: most answers are one message, the phone step's two
RIDE_LOST_S = 1.0  # a ride whose reply never came (Redis failed under it) is forgotten after this


class BudgetCounter(Protocol):
    async def lease(self, now: float, count: int, interval: float) -> float:
        """Move the bot's shared schedule on by `count` slots of `interval` s from `now` (epoch seconds) or from
        where it stands if later; answer where the lease starts."""
        ...


@runtime_checkable
class RidingCounter(BudgetCounter, Protocol):
    """A counter whose lease can also be sent in another call's round trip."""

    def command(self, now: float, count: int, interval: float) -> tuple[str | int, ...]:
        ...

    def start_of(self, reply: bytes | str | int) -> float:
        ...


class Schedule:
    """The bot's schedule kept by one process: what the shared counter does, in memory."""

    def __init__(self) -> None:
        self._theoretical = 0.0

    async def lease(self, now: float, count: int, interval: float) -> float:
        start = max(self._theoretical, now)
        self._theoretical = start + count * interval
        return start


class MessageBudget:
    """Wait for a message's slot in the bot-wide schedule; lease slots from the shared counter as needed."""

    def __init__(
        self, counter: BudgetCounter, rate: float, clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, *, burst: float = BURST_S,
        rate_name: str = "TELEGRAM_RATE",
    ) -> None:
        """`clock`: the wall clock (every worker must name the same moment the same way); `burst`: how far ahead of
        its slot a message may go (BURST_S: Telegram's); `rate_name`: what sets `rate`, for the log."""
        if rate <= 0:
            raise ValueError("the budget needs a rate above zero messages a second")
        self._counter = counter
        self._burst = burst
        self._rate_name = rate_name
        self._local = Schedule()  # while Redis is unreachable
        self._interval = 1.0 / rate
        self._largest = max(1, int(rate * LARGEST_SLICE_S))
        self._slice = 1
        self._clock = clock
        self._sleep = sleep
        self._slots: deque[float] = deque()  # leased and not yet used: each slot's time, earliest first
        self._turn: asyncio.Lock | None = None  # first come, first served
        self._leased_at = float("-inf")
        self._local_until: float | None = None  # on the local schedule until then
        self._probing: asyncio.Task[None] | None = None
        self._ahead: asyncio.Task[None] | None = None  # the next slice, leased in the background
        self._riding_since: float | None = None  # a lease sent with a dialog's lock, its reply not yet in

    async def acquire(self, expected: int = 1) -> None:
        """Return when one more message fits in the bot's rate (at once, as a rule).

        `expected`: the messages the caller has in hand, this one included, so that one lease covers an
        answer of several messages.
        """
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            slot = await self._take(expected)
        wait = slot - self._burst - self._clock()
        if wait > 0:
            await self._sleep(wait)

    def ride(self) -> tuple[tuple[str | int, ...], Callable[[Any], None]] | None:
        """A lease to send with the next dialog's lock, when this worker holds no slots that will still be good
        by the time that update is answered (a busy worker holds some, and leases its slices in line)."""
        now = self._clock()
        if not isinstance(self._counter, RidingCounter) or self._local_until is not None:
            return None
        if self._riding_since is not None and now - self._riding_since < RIDE_LOST_S:
            return None
        if any(slot + LATE_S > now + LATE_S / 2 for slot in self._slots):
            return None
        count = max(RIDING_SLOTS, self._slice)
        command = self._counter.command(now, count, self._interval)
        self._riding_since = now
        counter = self._counter

        def took(reply: Any) -> None:
            self._riding_since = None
            if not isinstance(reply, Exception):  # NOSCRIPT (not loaded yet), or an error: the answer leases in line
                self._add(counter.start_of(reply), count)

        return command, took

    async def close(self) -> None:
        """Wait for the leases in flight in the background (so none is cut off when the process stops)."""
        await asyncio.gather(*(task for task in (self._probing, self._ahead) if task is not None),
                             return_exceptions=True)

    async def _take(self, expected: int) -> float:
        now = self._clock()
        while self._slots and self._slots[0] + LATE_S < now:
            self._slots.popleft()
            self._slice = max(1, self._slice // 2)  # more was leased than sent in time
        if not self._slots:
            if self._ahead is not None:  # the next slice is on its way: the first in line waits for it
                await asyncio.shield(self._ahead)
            if not self._slots:
                await self._lease(now, min(self._largest, max(expected, self._slice)))
        slot = self._slots.popleft()
        self._lease_ahead(now)
        return slot

    def _lease_ahead(self, now: float) -> None:
        """A busy worker running low leases its next slice in the background, so that its messages do not wait
        in line behind a round trip (which a loaded machine makes long)."""
        busy = now - self._leased_at < BUSY_S and self._slice > 1
        if busy and self._ahead is None and self._local_until is None and len(self._slots) <= self._slice // 2:
            self._ahead = asyncio.get_running_loop().create_task(self._lease(now, self._slice))
            self._ahead.add_done_callback(self._arrived)

    def _arrived(self, _task: asyncio.Task[None]) -> None:
        self._ahead = None

    async def _lease(self, now: float, count: int) -> None:
        if now - self._leased_at < BUSY_S:
            self._slice = min(self._largest, self._slice * 2)
        self._leased_at = now
        if self._local_until is not None:
            if now >= self._local_until and (self._probing is None or self._probing.done()):
                self._local_until = now + RETRY_REDIS  # in the background: a Redis that hangs must not hold messages
                self._probing = asyncio.get_running_loop().create_task(self._probe())
            self._add(await self._local.lease(now, count, self._interval), count)
            return
        try:
            start = await self._counter.lease(now, count, self._interval)
        except Exception as error:  # Redis down, or slow past its timeout: the budget must not stop the bot
            self._unreachable(error)
            start = await self._local.lease(self._clock(), count, self._interval)
        self._add(start, count)

    async def _probe(self) -> None:
        """Ask Redis again for one slot; it answers: back on the shared schedule."""
        try:
            start = await self._counter.lease(self._clock(), 1, self._interval)
        except Exception as error:
            self._unreachable(error)
            return
        log.info("the shared message budget answers again")
        self._local_until = None
        self._add(start, 1)

    def _unreachable(self, error: Exception) -> None:
        if self._local_until is None:
            log.warning("the shared message budget is unreachable (%s: %s); this worker sends up to "
                        "%s a second on its own until Redis answers again", type(error).__name__, error,
                        self._rate_name)
        self._local_until = self._clock() + RETRY_REDIS

    def _add(self, start: float, count: int) -> None:
        """The lease's slots, each an interval after the one before; kept in order (a probe's may come late)."""
        slots = [start + (n + 1) * self._interval for n in range(count)]
        self._slots = deque(sorted((*self._slots, *slots)))
