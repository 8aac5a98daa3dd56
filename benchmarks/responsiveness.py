"""How soon a citizen is answered, within Telegram's limits: `python -m benchmarks responsiveness`.

`python -m benchmarks responsiveness [--framework aiogram|ptb] [--think S] [--crowd N] [--crowd-think A,B]
[--seconds S] [--quick]`

Real `regbot run --webhook` workers (`deployment`; the product's own pacing,
TELEGRAM_RATE and the rest at their defaults) over HTTP on loopback, against
this process as the Bot API, which enforces Telegram's flood limits
(`telegram_limits`: about 1 message a second per chat with a burst of 3, 30
a second for the bot, 20 a minute per group; presses' answers and edits
not counted) and answers 429 with `retry_after` past them, counting each.

The time of an update is taken bot side: from the start of its webhook POST
(loopback: its arrival) to whichever comes last of the webhook's answer and
the last Bot API call of its answer being answered by the Bot API (a call
made after the webhook's answer is counted too, up to the citizen's next
update).

* Alone: one citizen on an otherwise idle machine, from /start to the review
  card (valid answers), answering `--think` seconds after the last thing
  the bot did (default 2 s, a quick human), then again answering at once.
  Every step is reported; the target is every answer within 50 ms.
* Crowd: `--crowd` citizens (100) typing at human pace, each sending its next
  update a random `--crowd-think` seconds (2–5) after its previous answer,
  through the whole registration with one answer in five invalid (the
  `workload` stream), a citizen who sent the OTP replaced by a new one. After
  a warm-up, `--seconds` (60) are measured. Targets: p99 ≤ 250 ms, no 429.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter_ns
from typing import Any

from benchmarks.botapi_http import HttpBotApi
from benchmarks.deployment import Deployment, deployed
from benchmarks.harness import percentile
from benchmarks.machine import describe
from benchmarks.redis_server import RedisServer, new_bot_id, redis_server
from benchmarks.report import machine_section
from benchmarks.stubs import BotApi, Chats
from benchmarks.telegram_limits import TelegramLimits
from benchmarks.workload import Beat, CitizenData, Updates, Workload

DEFAULT_OUT = Path(__file__).parent / "responsiveness-results.json"
FIRST_USER = 9_000_000_000
ALONE_TARGET_MS = 50.0
CROWD_P99_TARGET_MS = 250.0
REVIEW_CARD = "email"  # the answer whose reply is the review card


class Calls:
    """What the Bot API did for each chat since its latest update: the last call's answer time, the calls."""

    def __init__(self) -> None:
        self.last_ns: dict[int, int] = {}
        self.methods: dict[int, Counter[str]] = {}

    def begin(self, chat: int) -> None:
        self.last_ns[chat] = 0
        self.methods[chat] = Counter()

    def on_call(self, method: str, chat: int | None, at_ns: int, refused: bool) -> None:
        if chat is None or chat not in self.methods:
            return
        self.last_ns[chat] = max(self.last_ns[chat], at_ns)
        self.methods[chat][f"{method} (429)" if refused else method] += 1


@dataclass(slots=True)
class Exchange:
    """One update: when its POST started, when the webhook answered, when its last call was answered."""

    step: str
    valid: bool
    started_ns: int
    answered_ns: int = 0
    status: int = 0
    done_ns: int = 0  # set once the citizen moves on (later calls would be the next update's)
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def ms(self) -> float:
        return (self.done_ns - self.started_ns) / 1e6


class Citizens:
    """Citizens of one workload sending their beats to the deployment, each update timed."""

    def __init__(self, bot: Deployment, api: BotApi, chats: Chats, calls: Calls) -> None:
        self.bot = bot
        self.calls = calls
        self.codes: dict[str, str] = {}
        self.updates = Updates(api.user, chats, lambda phone: self.codes.get(phone, "000000"))

    async def send(self, citizen: CitizenData, beat: Beat) -> Exchange:
        """Post the beat and wait for the webhook's answer (the product answers once its replies went out)."""
        if beat.kind == "otp":
            self.codes[beat.value] = await self.bot.latest_code(beat.value)
        update = self.updates.build(citizen, beat)
        chat = citizen.user_id
        self.calls.begin(chat)
        exchange = Exchange(beat.step, beat.valid, perf_counter_ns())
        exchange.status = await self.bot.post(update)
        exchange.answered_ns = perf_counter_ns()
        return exchange

    def settle(self, citizen: CitizenData, exchange: Exchange) -> Exchange:
        """The update is over (the citizen moves on): its last call is known."""
        chat = citizen.user_id
        exchange.done_ns = max(exchange.answered_ns, self.calls.last_ns.get(chat, 0))
        exchange.calls = self.calls.methods.get(chat, Counter())
        return exchange


async def alone(citizens: Citizens, citizen: CitizenData, beats: list[Beat], think: float) -> list[Exchange]:
    """One citizen, `think` seconds between the bot's last call (or its webhook answer) and the next update."""
    done = []
    for beat in beats:
        exchange = await citizens.send(citizen, beat)
        await asyncio.sleep(think)  # the citizen reads; the bot's late calls, if any, land meanwhile
        done.append(citizens.settle(citizen, exchange))
    return done


async def crowd(citizens: Citizens, workload: Workload, size: int, think: tuple[float, float], warmup: float,
                seconds: float, seed: int = 5) -> tuple[list[Exchange], int]:
    """`size` citizens at once, each `think` (a random span) between its answer and its next update; new
    citizens replace those who finished. The exchanges started within the measured window, and the citizens
    who took part."""
    rng = random.Random(seed)
    started = perf_counter_ns()
    window = (started + int(warmup * 1e9), started + int((warmup + seconds) * 1e9))
    measured: list[Exchange] = []
    joined = 0

    async def one_seat(first_delay: float) -> None:
        nonlocal joined
        await asyncio.sleep(first_delay)
        while perf_counter_ns() < window[1]:
            index = joined
            joined += 1
            citizen = workload.citizens[index]
            for beat in workload.beats[index]:
                if perf_counter_ns() >= window[1]:
                    return
                exchange = await citizens.send(citizen, beat)
                await asyncio.sleep(rng.uniform(*think))
                citizens.settle(citizen, exchange)
                if window[0] <= exchange.started_ns < window[1]:
                    measured.append(exchange)

    await asyncio.gather(*(one_seat(rng.uniform(0, think[1])) for _ in range(size)))
    return measured, joined


async def redis_per_update(server: RedisServer, before: Counter[str], updates: int) -> dict[str, float]:
    """The Redis commands the workers ran per update since `before` (scripts, EVALSHA, included: the dialog's two
    and the message budget's leases), from the server's own counts; the probe's INFO is left out."""
    ran = await server.commandstats() - before
    ran.pop("info", None)
    return {command: round(count / max(1, updates), 3) for command, count in ran.most_common()}


def stats(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(round(value * 1000) for value in values_ms)  # µs
    if not ordered:
        return {}
    return {"n": len(ordered), **{name: round(percentile(ordered, fraction) / 1000, 1)
                                  for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))},
            "max": round(ordered[-1] / 1000, 1), "mean": round(sum(ordered) / len(ordered) / 1000, 1)}


def steps_of(exchanges: list[Exchange]) -> list[dict[str, Any]]:
    return [{"step": exchange.step, "ms": round(exchange.ms, 1), "status": exchange.status,
             "calls": dict(exchange.calls)} for exchange in exchanges]


def by_step(exchanges: list[Exchange]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = {}
    for exchange in exchanges:
        groups.setdefault(exchange.step if exchange.valid else f"{exchange.step} (invalid)", []).append(exchange.ms)
    return {step: stats(values) for step, values in sorted(groups.items())}


async def measure(options: argparse.Namespace) -> dict[str, Any]:
    async with redis_server() as server:
        machine = describe(await server.version(), server.url, server.embedded)
        await server.clean()
        chats = Chats()
        api = BotApi(new_bot_id(), chats)
        limits = TelegramLimits()
        calls = Calls()
        http_api = HttpBotApi(api, on_send=lambda chat, at_ns: None, limits=limits, on_call=calls.on_call)
        await http_api.start()
        try:
            env = dict(setting.split("=", 1) for setting in options.env)
            async with deployed(server, http_api, options.framework, options.workers, env) as bot:
                citizens = Citizens(bot, api, chats, calls)
                workload = Workload.make(options.crowd * 4 + 10, FIRST_USER)
                to_review = [beat for beat in workload.beats[0] if beat.valid]
                to_review = to_review[: [beat.step for beat in to_review].index(REVIEW_CARD) + 1]
                result: dict[str, Any] = {"machine": machine, "framework": options.framework,
                                          "workers": options.workers, "worker_env": env}
                for name, citizen, think in (("alone at human pace", workload.citizens[0], options.think),
                                             ("alone answering at once", workload.citizens[1], 0.0)):
                    print(f"  {name} ({think:g} s between answers) …", file=sys.stderr)
                    refused, commands = limits.refused, await server.commandstats()
                    exchanges = await alone(citizens, citizen, to_review, think)
                    result[name] = {"think_s": think, "max_ms": round(max(e.ms for e in exchanges), 1),
                                    "steps": steps_of(exchanges), "http_429": limits.refused - refused,
                                    "redis_per_update": await redis_per_update(server, commands, len(exchanges)),
                                    "met": max(e.ms for e in exchanges) <= ALONE_TARGET_MS}
                print(f"  {options.crowd} citizens, {options.crowd_think[0]:g}–{options.crowd_think[1]:g} s "
                      f"between answers, {options.seconds:g} s measured …", file=sys.stderr)
                refused, refused_by = limits.refused, dict(limits.refused_by)
                commands = await server.commandstats()
                crowd_workload = Workload(workload.citizens[2:], workload.beats[2:])
                exchanges, joined = await crowd(citizens, crowd_workload, options.crowd, options.crowd_think,
                                                options.warmup, options.seconds)
                latency = stats([exchange.ms for exchange in exchanges])
                http_429 = limits.refused - refused
                result["crowd"] = {
                    "citizens_at_once": options.crowd, "think_s": list(options.crowd_think),
                    "warmup_s": options.warmup, "seconds": options.seconds, "citizens": joined,
                    "updates_per_s": round(len(exchanges) / options.seconds, 1), "latency_ms": latency,
                    "http_429": http_429,
                    "http_429_by_limit": {name: count - refused_by.get(name, 0)
                                          for name, count in limits.refused_by.items()
                                          if count > refused_by.get(name, 0)},
                    "errors": sum(1 for exchange in exchanges if exchange.status != 200),
                    "redis_per_update": await redis_per_update(server, commands, len(exchanges)),
                    "steps": by_step(exchanges),
                    "calls_per_update": {method: round(count / max(1, len(exchanges)), 3) for method, count in
                                         sum((exchange.calls for exchange in exchanges), Counter()).most_common()},
                    "met": bool(latency) and latency["p99"] <= CROWD_P99_TARGET_MS and http_429 == 0,
                }
                return result
        finally:
            await http_api.stop()


def render(result: dict[str, Any]) -> str:
    parts = [machine_section(result["machine"]), "",
             f"Responsiveness: product on {result['framework']}, {result['workers']} `regbot run --webhook` "
             "worker(s), the Bot API enforcing Telegram's limits (1 message/s per chat with a burst of 3, 30/s "
             "for the bot, 20/min per group; presses' answers and edits not counted). Time of an update: webhook "
             "POST start → the later of the webhook's answer and its last Bot API call answered."
             + (f" Worker settings: {result['worker_env']}." if result.get("worker_env") else ""), ""]
    for name in ("alone at human pace", "alone answering at once"):
        part = result[name]
        parts.append(f"{name} ({part['think_s']:g} s between answers), /start to the review card: max "
                     f"{part['max_ms']} ms (target ≤ {ALONE_TARGET_MS:g} ms: {'met' if part['met'] else 'NOT met'}), "
                     f"429s {part['http_429']}; Redis commands per update: {_commands(part)}")
        for step in part["steps"]:
            calls = ", ".join(f"{method} {count}" for method, count in step["calls"].items())
            parts.append(f"  {step['step']:<12} {step['ms']:>8.1f} ms   {calls}")
        parts.append("")
    crowd_part = result["crowd"]
    latency = crowd_part["latency_ms"]
    parts.append(f"{crowd_part['citizens_at_once']} citizens at once, {crowd_part['think_s'][0]:g}–"
                 f"{crowd_part['think_s'][1]:g} s between answers, {crowd_part['seconds']:g} s measured "
                 f"({crowd_part['updates_per_s']} updates/s, {crowd_part['citizens']} citizens): p50 "
                 f"{latency.get('p50')} ms, p99 {latency.get('p99')} ms, max {latency.get('max')} ms; 429s "
                 f"{crowd_part['http_429']} {crowd_part['http_429_by_limit'] or ''}; errors {crowd_part['errors']} "
                 f"(target p99 ≤ {CROWD_P99_TARGET_MS:g} ms and no 429: {'met' if crowd_part['met'] else 'NOT met'})")
    for step, values in crowd_part["steps"].items():
        parts.append(f"  {step:<22} n {values['n']:>5}  p50 {values['p50']:>8.1f}  p99 {values['p99']:>8.1f}  "
                     f"max {values['max']:>8.1f} ms")
    parts.append(f"  Redis commands per update: {_commands(crowd_part)}")
    parts.append("  Bot API calls per update: " + ", ".join(
        f"{method} {count}" for method, count in crowd_part["calls_per_update"].items()))
    return "\n".join(parts)


def _commands(part: dict[str, Any]) -> str:
    return ", ".join(f"{command} {count}" for command, count in part.get("redis_per_update", {}).items())


def _pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    return float(low), float(high or low)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks responsiveness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram", help="BOT_FRAMEWORK")
    parser.add_argument("--workers", type=int, default=1, help="webhook workers (default 1)")
    parser.add_argument("--think", type=float, default=None,
                        help="seconds the lone citizen takes to answer (default 2; 1 quick)")
    parser.add_argument("--crowd", type=int, default=100, help="citizens typing at once (default 100)")
    parser.add_argument("--crowd-think", type=_pair, default=None,
                        help="seconds between a crowd citizen's answer and its next update, low,high (default 2,5)")
    parser.add_argument("--seconds", type=float, default=None, help="crowd: measured seconds (default 60; 15 quick)")
    parser.add_argument("--warmup", type=float, default=None, help="crowd: warm-up seconds (default 5; 2 quick)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the workers (repeatable), e.g. TELEGRAM_RATE=1000: defaults otherwise")
    parser.add_argument("--quick", action="store_true", help="a short run: 1 s pace alone, 15 s crowd")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    options = parser.parse_args(argv)
    options.think = options.think if options.think is not None else (1.0 if options.quick else 2.0)
    options.crowd_think = options.crowd_think or (2.0, 5.0)
    options.seconds = options.seconds or (15.0 if options.quick else 60.0)
    options.warmup = options.warmup if options.warmup is not None else (2.0 if options.quick else 5.0)
    return options


async def run(options: argparse.Namespace) -> dict[str, Any]:
    result = await measure(options)
    print(render(result))
    options.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"\nJSON: {options.out}")
    return result


def main(argv: list[str] | None = None) -> int:
    asyncio.run(run(arguments(argv)))
    return 0
