"""The bot-wide message budget (bot/core/message_budget.py): one schedule shared through a real Redis.

Telegram counts about 30 messages a second per bot, whichever worker sends them, with a bucket that
refills continuously: the workers share one schedule of slots (GCRA), leased a few at a time so that
most messages cost no round trip, handed out oldest first, and a Redis that cannot be reached costs one
warning, not the messages.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.core.message_budget import BURST_S, MessageBudget, Schedule
from bot.storage.budget_counter import RedisBudgetCounter
from bot.storage.codec import DialogCodec
from bot.storage.keys import DialogKey, message_budget
from bot.storage.redis_store import RedisDialogStore
from bot.storage.riders import Riders
from conversations.dialog import Dialog

BOT = 7001
START = 1_800_000_000.0


class FastClock:
    """The wall clock ten times faster: a budget "second" passes in a tenth of a real one, so a test of
    several seconds of sending takes a fraction of that."""

    def __init__(self) -> None:
        self._start = asyncio.get_running_loop().time()

    def __call__(self) -> float:
        return START + (asyncio.get_running_loop().time() - self._start) * 10

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / 10)


class HandClock:
    """A clock that only moves when one waiter sleeps (one sender at a time)."""

    def __init__(self) -> None:
        self.now = START
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # a lease in the background gets its turn


class CountingSchedule(Schedule):
    """The shared schedule in memory, counting its leases (each would be one round trip to Redis)."""

    def __init__(self) -> None:
        super().__init__()
        self.leases: list[int] = []

    async def lease(self, now: float, count: int, interval: float) -> float:
        self.leases.append(count)
        return await super().lease(now, count, interval)


def within_telegrams_bucket(times: list[float], rate: float) -> bool:
    """Whether a bucket of a second's worth of messages, refilled at `rate` a second (the benchmarks' fake Bot
    API, after Telegram's 429s), admits every message sent at `times`."""
    tokens, at = rate, times[0]
    for when in sorted(times):
        tokens = min(rate, tokens + (when - at) * rate)
        at = when
        if tokens < 1 - 1e-9:
            return False
        tokens -= 1
    return True


async def test_a_quiet_bot_sends_half_a_second_s_worth_at_once_then_one_slot_after_another() -> None:
    clock = HandClock()
    budget = MessageBudget(CountingSchedule(), 30, clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(45):
        await budget.acquire()
        sent.append(clock.now - START)
    assert sent[:15] == [0.0] * 15  # the burst
    assert sent[15:] == pytest.approx([(n + 1) / 30 - BURST_S for n in range(15, 45)], abs=1e-6)  # then 30 a second
    assert within_telegrams_bucket(sent, 30)


async def test_a_busy_worker_leases_a_few_slots_at_a_time() -> None:
    clock, schedule = HandClock(), CountingSchedule()
    budget = MessageBudget(schedule, 30, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        await budget.acquire()
    assert len(schedule.leases) <= 14  # one round trip for every four or five messages
    assert max(schedule.leases) == 6  # a fifth of a second's worth at the most


async def test_a_citizen_now_and_then_leases_what_the_answer_holds() -> None:
    clock, schedule = HandClock(), CountingSchedule()
    budget = MessageBudget(schedule, 30, clock=clock, sleep=clock.sleep)
    for answer in (1, 2, 1, 3):  # the messages of each answer, two seconds apart
        for in_hand in range(answer, 0, -1):
            await budget.acquire(in_hand)
        clock.now += 2
    assert schedule.leases == [1, 2, 1, 3] and clock.slept == []


async def test_messages_are_given_their_slots_in_the_order_they_came() -> None:
    clock = FastClock()
    budget = MessageBudget(CountingSchedule(), 10, clock=clock, sleep=clock.sleep)
    done: list[int] = []

    async def message(number: int) -> None:
        await budget.acquire()
        done.append(number)

    await asyncio.gather(*(message(number) for number in range(30)))  # 30 at once at ten a second: a queue
    assert done == list(range(30))


async def test_two_workers_sharing_redis_stay_within_telegrams_bucket(redis: Redis) -> None:
    clock = FastClock()
    sent: list[tuple[str, float]] = []

    async def worker(name: str, messages: int) -> None:
        budget = MessageBudget(RedisBudgetCounter(redis, BOT), 10, clock=clock, sleep=clock.sleep)
        for _ in range(messages):
            await budget.acquire()
            sent.append((name, clock()))
        await budget.close()

    await asyncio.gather(worker("a", 30), worker("b", 30))
    times = [when for _name, when in sent]
    assert within_telegrams_bucket(times, 10)
    assert max(times) - START >= 60 / 10 - BURST_S - 0.5  # sixty messages at ten a second, after a burst
    assert max(times) - START <= 60 / 10 + 0.5  # and no slower: the rate is shared, not divided between the workers
    assert {name for name, _when in sent} == {"a", "b"}
    assert 0 < await redis.pttl(message_budget(BOT)) <= 5000  # the schedule's key goes once the bot is quiet


async def test_redis_down_still_sends_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    gone = Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))  # nothing listens on port 1
    clock = HandClock()
    budget = MessageBudget(RedisBudgetCounter(gone, BOT), 30, clock=clock, sleep=clock.sleep)
    sent = []
    with caplog.at_level(logging.WARNING, logger="bot.core.message_budget"):
        for _ in range(200):  # more than six seconds' worth: Redis is tried again after five, still down
            await budget.acquire()
            sent.append(clock.now)
    await budget.close()
    await gone.aclose()
    assert clock.now - START >= 6  # still paced: thirty a second on the worker's own schedule
    assert within_telegrams_bucket(sent, 30)
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1 and "shared message budget is unreachable" in warnings[0].getMessage()


async def test_the_budget_is_shared_again_once_redis_answers(caplog: pytest.LogCaptureFixture) -> None:
    class Flaky(CountingSchedule):
        down = True

        async def lease(self, now: float, count: int, interval: float) -> float:
            if self.down:
                raise ConnectionError("Redis is restarting")
            return await super().lease(now, count, interval)

    clock, counter = HandClock(), Flaky()
    budget = MessageBudget(counter, 30, clock=clock, sleep=clock.sleep)
    with caplog.at_level(logging.INFO, logger="bot.core.message_budget"):
        await budget.acquire()  # on its own schedule from here
        counter.down = False
        while not counter.leases:
            await budget.acquire()
        for _ in range(40):
            await budget.acquire()
    await budget.close()
    assert clock.now - START <= 5 + 2  # tried again after five seconds
    assert any("answers again" in record.getMessage() for record in caplog.records)
    assert len(counter.leases) > 1  # and leased from again


class InLine(RedisBudgetCounter):
    """The Redis counter, counting the leases that cost a round trip of their own."""

    def __init__(self, redis: Redis) -> None:
        super().__init__(redis, BOT)
        self.leases = 0

    async def lease(self, now: float, count: int, interval: float) -> float:
        self.leases += 1
        return await super().lease(now, count, interval)


async def test_a_citizen_now_and_then_costs_no_round_trip_of_the_budget_s_own(redis: Redis, codec: DialogCodec) -> None:
    clock, counter, riders = HandClock(), InLine(redis), Riders()
    budget = MessageBudget(counter, 30, clock=clock, sleep=clock.sleep)
    riders.add(budget)
    store = RedisDialogStore(redis, codec, riders=riders)
    citizen = DialogKey(BOT, 42, 42)
    for turn, messages in enumerate([1, 1, 2, 1, 1]):  # an answer every two seconds; the phone step's two
        async with store.hold(citizen, event_id=str(turn)) as held:  # the lock, with the lease riding
            held.save = Dialog()
        for in_hand in range(messages, 0, -1):
            await budget.acquire(in_hand)
        clock.now += 2
    assert counter.leases <= 1  # at most the first answer, while the script was not yet loaded (NOSCRIPT)
    assert clock.slept == []
    assert await redis.pttl(message_budget(BOT)) > 0  # the rides moved the shared schedule on


async def test_a_worker_holding_slots_sends_no_lease_with_the_lock(redis: Redis) -> None:
    clock = HandClock()
    budget = MessageBudget(InLine(redis), 30, clock=clock, sleep=clock.sleep)
    assert budget.ride() is not None  # none held
    budget.ride()
    assert budget.ride() is None  # one ride at a time, until its reply or a second
    clock.now += 1
    await budget.acquire(3)
    assert budget.ride() is None  # two slots still held for the next message
