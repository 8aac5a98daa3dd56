"""One measuring loop for every scenario: feed the stream, time each update, count Bot API and Redis calls
(Bot API requests, and apart the calls a webhook's response carries instead).

Updates are fed one at a time and awaited (no concurrency): the latency of
an update is the time around parsing its JSON into the framework's Update
and the framework handling it, including every Bot API call (stubbed) and
Redis round trip it makes. Throughput is updates / wall time of the loop,
minus the time spent building the test's own JSON between updates. A
warm-up workload of other citizens runs first, unmeasured (imports, Lua
script loading, pydantic's lazy schema building).

`feed_at_rate` is the open-loop variant: update i is due at i/rate seconds
whether or not earlier ones are done, as in a burst of citizens; its
latency runs from when it was due to when it was handled.
"""

from __future__ import annotations

import asyncio
import gc
import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from time import perf_counter_ns, process_time_ns
from typing import Any

from benchmarks.redis_server import RedisServer, new_bot_id
from benchmarks.stubs import BotApi, Chats
from benchmarks.workload import Beat, CitizenData, Updates, Workload
from bot.app.eventloop import loop_name

WARMUP_FIRST_USER = 5_000_000_000
MAIN_FIRST_USER = 6_000_000_000


class Scenario(ABC):
    """A bot under test: the product on one framework, or an anchor."""

    name: str
    framework: str
    kind: str  # "product" or "anchor"

    def __init__(self, server: RedisServer) -> None:
        self.server = server
        self.bot_id = new_bot_id()
        self.chats = Chats()
        self.api = BotApi(self.bot_id, self.chats)

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def feed(self, update: dict[str, Any]) -> None:
        """Parse the update JSON into the framework's Update and have the framework handle it."""

    @abstractmethod
    async def stop(self) -> None: ...

    def otp_code(self, phone: str) -> str:
        return "123456"

    async def check(self, workload: Workload) -> str:
        """What shows the stream did what it should (e.g. every citizen reached the password step)."""
        return ""


@dataclass(slots=True)
class Measurement:
    name: str
    framework: str
    kind: str
    updates: int
    invalid: int
    wall_s: float
    updates_per_s: float
    mean_us: float
    p50_us: float
    p99_us: float
    max_us: float
    bot_api_calls: dict[str, float]  # per update, by method
    redis_round_trips: float  # per update, client side
    redis_client_commands: dict[str, float]  # per update, as the client sent them
    redis_server_commands: dict[str, float]  # per update, as the server executed them (Lua's inside too)
    cpu_us: float = 0.0  # this process's CPU per update (sequential feeding only; the stubbed Bot API included)
    redis_cpu_us: float = 0.0  # the Redis server's CPU per update (INFO cpu, user + sys)
    loop: str = ""  # the event loop the scenario ran on
    parser: str = ""  # redis-py's reply parser
    check: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    carried_calls: dict[str, float] = field(default_factory=dict)  # per update: in the webhook's response instead


@dataclass(slots=True)
class Fed:
    latencies_ns: list[int]
    wall_ns: int
    cpu_ns: int = 0  # this process's CPU (all threads) while the scenario handled the updates, building them excluded


async def feed_all(scenario: Scenario, workload: Workload, first_update_id: int) -> Fed:
    updates = Updates(scenario.api.user, scenario.chats, scenario.otp_code, first_update_id)
    latencies: list[int] = []
    building = building_cpu = 0
    started, started_cpu = perf_counter_ns(), process_time_ns()
    for citizen, beat in workload.stream():
        before, before_cpu = perf_counter_ns(), process_time_ns()
        update = updates.build(citizen, beat)
        fed, fed_cpu = perf_counter_ns(), process_time_ns()
        await scenario.feed(update)
        latencies.append(perf_counter_ns() - fed)
        building += fed - before
        building_cpu += fed_cpu - before_cpu
    return Fed(latencies, perf_counter_ns() - started - building, process_time_ns() - started_cpu - building_cpu)


async def feed_at_rate(scenario: Scenario, workload: Workload, first_update_id: int, rate: float) -> Fed:
    """Open loop at `rate` updates/s; a citizen's next update waits for the previous (they answer the reply).

    Updates are built when their turn comes (the OTP beat needs the code the previous one caused).
    """
    updates = Updates(scenario.api.user, scenario.chats, scenario.otp_code, first_update_id)
    latencies: list[int] = []
    previous: dict[int, asyncio.Task[None]] = {}
    interval_ns = 1e9 / rate

    async def one(due: int, citizen: CitizenData, beat: Beat, after: asyncio.Task[None] | None) -> None:
        if after is not None:
            await after
        await scenario.feed(updates.build(citizen, beat))
        latencies.append(perf_counter_ns() - due)

    started = perf_counter_ns()
    for index, (citizen, beat) in enumerate(workload.stream()):
        due = started + int(index * interval_ns)
        if (wait := due - perf_counter_ns()) > 0:
            await asyncio.sleep(wait / 1e9)
        previous[citizen.user_id] = asyncio.create_task(one(due, citizen, beat, previous.get(citizen.user_id)))
    await asyncio.gather(*previous.values())
    return Fed(latencies, perf_counter_ns() - started)


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def per_update(counter: Counter[str], updates: int) -> dict[str, float]:
    return {name: round(count / updates, 3) for name, count in counter.most_common() if count}


def summarise(scenario: Scenario, workload: Workload, fed: Fed) -> Measurement:
    ordered = sorted(fed.latencies_ns)
    count = len(ordered)
    return Measurement(
        name=scenario.name, framework=scenario.framework, kind=scenario.kind, updates=count,
        invalid=workload.invalid, wall_s=fed.wall_ns / 1e9, updates_per_s=count / (fed.wall_ns / 1e9),
        mean_us=sum(ordered) / count / 1e3, p50_us=percentile(ordered, 0.5) / 1e3,
        p99_us=percentile(ordered, 0.99) / 1e3, max_us=ordered[-1] / 1e3,
        bot_api_calls=per_update(scenario.api.calls, count), redis_round_trips=0.0,
        redis_client_commands={}, redis_server_commands={}, carried_calls=per_update(scenario.api.carried, count),
    )


async def measure(
    scenario: Scenario, workload: Workload, warmup: Workload,
    after: Callable[[Scenario, Measurement], Awaitable[None]] | None = None, rate: float | None = None,
) -> Measurement:
    """Start, warm up, feed `workload` timed (one at a time, or open loop at `rate`), count, check, stop."""
    await scenario.server.clean()
    await scenario.start()
    try:
        await feed_all(scenario, warmup, first_update_id=1_000)
        scenario.api.calls.clear()
        scenario.api.carried.clear()
        scenario.server.counts.reset()
        server_before = await scenario.server.commandstats()
        used_memory = await scenario.server.used_memory()
        gc.collect()
        redis_cpu_before = await scenario.server.cpu_seconds()
        if rate is None:
            fed = await feed_all(scenario, workload, first_update_id=100_000_000)
        else:
            fed = await feed_at_rate(scenario, workload, 100_000_000, rate)
            scenario.name += f" at {rate:g}/s offered"
        redis_cpu = await scenario.server.cpu_seconds() - redis_cpu_before
        server_after = await scenario.server.commandstats()
        server_after.subtract(server_before)
        server_after.pop("info", None)  # our own probe
        result = summarise(scenario, workload, fed)
        if rate is None:
            result.cpu_us = fed.cpu_ns / result.updates / 1e3
        result.redis_cpu_us = redis_cpu * 1e6 / result.updates
        result.loop, result.parser = loop_name(asyncio.get_running_loop()), scenario.server.parser
        counts = scenario.server.counts
        result.redis_round_trips = round((counts.round_trips - counts.connection_setup) / result.updates, 3)
        result.extra["redis_connection_setup_round_trips"] = counts.connection_setup
        result.redis_client_commands = per_update(scenario.server.counts.commands, result.updates)
        result.redis_server_commands = per_update(server_after, result.updates)
        result.extra["used_memory_before"] = used_memory
        result.check = await scenario.check(workload)
        if after is not None:
            await after(scenario, result)
    finally:
        await scenario.stop()
        await scenario.server.clean([scenario.bot_id])
    return result
