"""The OA's sending pace (bot/channels/zalo/pace.py): Zalo counts an OA's rate whichever worker sends, so the workers
share one schedule in a real Redis, leased as Telegram's bot-wide budget is, at no round trip of its own when a
citizen writes now and then."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.channels.zalo import assumptions
from bot.channels.zalo.pace import SendPace, oa_budget
from bot.core.message_budget import MessageBudget
from bot.storage.budget_counter import RedisBudgetCounter
from bot.storage.codec import DialogCodec
from bot.storage.keys import DialogKey, message_budget
from bot.storage.redis_store import RedisDialogStore
from bot.storage.riders import Riders
from conversations.dialog import Dialog
from tests.fakezalo import APP_ID

OA = f"zalo:{APP_ID}"  # the OA's channel account: its dialogs', and its schedule's
TELEGRAM_BOT = "7001"
START = 1_800_000_000.0


class Worker:
    """One worker's view of the wall clock (every worker's agrees, NTP) and the waits it was told to make."""

    def __init__(self, clock: list[float]) -> None:
        self.clock, self.waits = clock, list[float]()

    def now(self) -> float:
        return self.clock[0]

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


class CountedCounter(RedisBudgetCounter):
    """The shared schedule in Redis, counting the leases made in a round trip of their own."""

    def __init__(self, redis: Redis, name: str) -> None:
        super().__init__(redis, name)
        self.leases = 0

    async def lease(self, now: float, count: int, interval: float) -> float:
        self.leases += 1
        return await super().lease(now, count, interval)


def pace(redis: Redis, worker: Worker, counter: RedisBudgetCounter | None = None) -> SendPace:
    budget = oa_budget(counter or RedisBudgetCounter(redis, OA), clock=worker.now, sleep=worker.sleep)
    return SendPace(budget, sleep=worker.sleep)


async def test_two_workers_share_the_oa_s_rate(redis: Redis) -> None:
    """What one worker sent counts for the other: the OA's burst spent by one, the other's messages wait their
    slots (with a schedule per worker, each would send its own burst at once: twice the OA's)."""
    clock = [START]
    one, two = Worker(clock), Worker(clock)
    first, second = pace(redis, one), pace(redis, two)
    for _ in range(assumptions.SEND_BURST):
        await first.slot()
    assert one.waits == []  # the OA's burst, at once
    for _ in range(assumptions.SEND_BURST):
        await second.slot()
    interval = 1 / assumptions.SEND_RATE
    assert len(two.waits) == assumptions.SEND_BURST and two.waits[0] > 0 and two.waits == sorted(two.waits)
    assert two.waits[-1] >= assumptions.SEND_BURST * interval - 1e-6  # each a slot later: the OA's rate, not twice it
    clock[0] += 2  # a quiet spell: the schedule is behind the clock again
    await first.slot()
    assert one.waits == []
    await first.budget.close()
    await second.budget.close()


async def test_a_citizen_now_and_then_costs_the_oa_s_pace_no_round_trip_beside_telegram(
    redis: Redis, codec: DialogCodec,
) -> None:
    """In a process serving Telegram and the OA, the OA's lease rides with its own dialogs' locks (not
    Telegram's budget's, which would leave the Zalo answer a round trip of its own)."""
    clock = [START]
    worker = Worker(clock)
    counter = CountedCounter(redis, OA)
    zalo_pace = pace(redis, worker, counter)
    telegram = MessageBudget(RedisBudgetCounter(redis, TELEGRAM_BOT), 30, clock=worker.now, sleep=worker.sleep)
    zalo = zalo_pace.budget  # what the channel's composition registers
    riders = Riders()
    riders.add(telegram, TELEGRAM_BOT)
    riders.add(zalo, OA)
    store = RedisDialogStore(redis, codec, riders=riders)
    citizen = DialogKey(OA, "2512523625412515901", "2512523625412515901")
    for turn, messages in enumerate([1, 1, 2, 1, 1]):  # an answer every two seconds; the phone step's two
        async with store.hold(citizen, event_id=str(turn)) as held:
            held.save = Dialog()
        for _ in range(messages):
            await zalo_pace.slot()
        clock[0] += 2
    assert counter.leases <= 1  # at most the first answer's, while the script was not yet loaded (NOSCRIPT)
    assert worker.waits == []
    assert await redis.pttl(message_budget(OA)) > 0  # the rides moved the OA's schedule on
    assert not await redis.exists(message_budget(TELEGRAM_BOT))  # and Telegram's rode with none of them
    await zalo.close()
