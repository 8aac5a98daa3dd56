"""The bot-wide message budget (bot/core/message_budget.py): shared through a real Redis, leased in slices.

Telegram counts about 30 messages a second per bot, whichever worker sends them, so the workers share
one counter per second; leasing slices of it keeps a round trip off almost every message, and a Redis
that cannot be reached costs one warning, not the messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.core.message_budget import Ledger, MessageBudget
from bot.storage.budget_counter import RedisBudgetCounter
from bot.storage.keys import message_budget

BOT = 7001


class FastClock:
    """The wall clock ten times faster: a budget "second" passes in a tenth of a real one, so a test of
    several seconds of sending takes a fraction of that (Redis keys are per second, whatever its length)."""

    def __init__(self) -> None:
        self._start = asyncio.get_running_loop().time()

    def __call__(self) -> float:
        return 1_800_000_000 + (asyncio.get_running_loop().time() - self._start) * 10

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / 10)


class CountingCounter:
    """A `BudgetCounter` in memory that counts its leases (each would be one round trip to Redis)."""

    def __init__(self) -> None:
        self.totals: Counter[int] = Counter()
        self.leases: list[int] = []

    async def lease(self, second: int, count: int) -> int:
        self.leases.append(count)
        self.totals[second] += count
        return self.totals[second]


def test_slices_grow_from_one_to_a_tenth_of_the_rate() -> None:
    ledger = Ledger(30)
    sizes = []
    total = 0
    for _ in range(6):
        size = ledger.next_slice()
        total += size
        sizes.append(size)
        ledger.granted(100, size, total)
    assert sizes == [1, 2, 3, 3, 3, 3]


def test_no_more_than_the_rate_is_granted_in_a_second() -> None:
    ledger = Ledger(30)
    assert ledger.granted(100, 3, 31) == 2  # others had leased 28 of this second already
    assert ledger.spent(100)
    assert [ledger.take(100), ledger.take(100), ledger.take(100)] == [True, True, False]
    assert not ledger.spent(101)


async def test_one_worker_sends_the_whole_rate_with_a_few_leases_then_waits_for_the_next_second() -> None:
    now = [1_800_000_000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    counter = CountingCounter()
    budget = MessageBudget(counter, 30, clock=lambda: now[0], sleep=sleep)
    for _ in range(30):
        await budget.acquire()
    assert slept == []  # thirty messages within the second, none waiting
    assert len(counter.leases) <= 12  # about one lease for every three messages, most in the background
    await budget.acquire()
    assert slept == [1.0] and int(now[0]) == 1_800_000_001  # the 31st waits for the next second
    await budget.close()


async def test_two_workers_sharing_redis_never_exceed_the_rate_in_any_second(redis: Redis) -> None:
    clock = FastClock()
    sent: list[tuple[str, int]] = []

    async def worker(name: str, messages: int) -> None:
        budget = MessageBudget(RedisBudgetCounter(redis, BOT), 10, clock=clock, sleep=clock.sleep)
        for _ in range(messages):
            await budget.acquire()
            sent.append((name, int(clock())))
        await budget.close()

    await asyncio.gather(worker("a", 30), worker("b", 30))
    per_second = Counter(second for _name, second in sent)
    assert max(per_second.values()) <= 10
    assert len(per_second) >= 6  # sixty messages at ten a second: six seconds at least
    assert {name for name, _second in sent} == {"a", "b"}
    busy = [second for second, count in per_second.items() if count == 10]
    assert busy, "the budget was used in full, not divided between the workers"
    assert await redis.ttl(message_budget(BOT, max(per_second))) > 0  # the counters expire by themselves


async def test_redis_down_still_sends_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    gone = Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))  # nothing listens on port 1
    now = [1_800_000_000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    budget = MessageBudget(RedisBudgetCounter(gone, BOT), 30, clock=lambda: now[0], sleep=sleep)
    with caplog.at_level(logging.WARNING, logger="bot.core.message_budget"):
        for _ in range(200):  # more than six seconds' worth: Redis is tried again after five, still down
            await budget.acquire()
    await budget.close()
    await gone.aclose()
    assert int(now[0]) >= 1_800_000_006  # still paced: thirty a second on the worker's own budget
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "shared message budget is unreachable" in warnings[0].getMessage()


async def test_the_budget_is_shared_again_once_redis_answers(caplog: pytest.LogCaptureFixture) -> None:
    class Flaky(CountingCounter):
        down = True

        async def lease(self, second: int, count: int) -> int:
            if self.down:
                raise ConnectionError("Redis is restarting")
            return await super().lease(second, count)

    now = [1_800_000_000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)  # let a lease in the background finish

    counter = Flaky()
    budget = MessageBudget(counter, 30, clock=lambda: now[0], sleep=sleep)
    with caplog.at_level(logging.INFO, logger="bot.core.message_budget"):
        await budget.acquire()  # on its own budget from here
        counter.down = False
        while not counter.totals:
            await budget.acquire()
        for _ in range(40):
            await budget.acquire()
    await budget.close()
    assert min(counter.totals) <= 1_800_000_000 + 6  # tried again after five seconds
    assert any("answers again" in record.getMessage() for record in caplog.records)
    assert max(counter.totals.values()) <= 30
