"""`python -m benchmarks [--citizens N] [--quick] [--repeat R] [--profile] [--out PATH]`.

`python -m benchmarks load [--framework aiogram|ptb] [--seconds S] [--quick]`: the product under load, in
webhook mode over HTTP with 1 and 2 worker processes (see `benchmarks.load`; `load --help`).

`python -m benchmarks responsiveness [--think S] [--crowd N] [--quick]`: how soon citizens are answered by
`regbot run --webhook` against a Bot API enforcing Telegram's limits (see `benchmarks.responsiveness`).

`python -m benchmarks memory [--citizens N]`: Redis bytes per citizen parked at the password step, every key
counted, by kind (see `benchmarks.memory`).

`python -m benchmarks calls [--citizens N]`: Bot API calls per step of the stream, by webhook and by polling, on
both frameworks (see `benchmarks.calls`).

`python -m benchmarks qr [--per-kind N] [--everyday N] [--quick]`: reading the QR code of a CCCD card from
generated damaged photos (see `benchmarks.qr`; `qr --help`).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import anchors, redis_cost
from benchmarks.harness import MAIN_FIRST_USER, WARMUP_FIRST_USER, Measurement, Scenario, measure
from benchmarks.machine import describe
from benchmarks.product import Product, measure_password
from benchmarks.profile import profile_product
from benchmarks.redis_server import DEFAULT_PARSER, PARSERS, RedisServer, redis_server
from benchmarks.report import ratios, render, write_json
from benchmarks.workload import Workload
from bot.app import eventloop

DEFAULT_OUT = Path(__file__).parent / "results.json"
Make = Callable[[RedisServer], Scenario]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=None, help="citizens in the stream (default 500; 40 quick)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every part")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each scenario, order rotated; the median run is reported (default 3; 1 quick)")
    parser.add_argument("--rates", type=lambda text: [float(r) for r in text.split(",") if r], default=None,
                        help="open-loop offered updates/s for the product and aiogram's FSM (default 500,1000; "
                             "'' for none)")
    parser.add_argument("--only", default="",
                        help="only the scenarios whose name contains one of these comma-separated words")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop",
                        help="the event loop of every scenario (default uvloop, as `regbot run`; asyncio where "
                             "uvloop is missing)")
    parser.add_argument("--parser", choices=tuple(PARSERS), default=DEFAULT_PARSER,
                        help=f"redis-py's reply parser for every scenario (default {DEFAULT_PARSER}, as `regbot run`)")
    parser.add_argument("--profile", action="store_true", help="also profile the product on each framework")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    return parser.parse_args(argv)


def scenario_makers(only: str = "") -> list[Make]:
    """Every scenario, or those whose name contains one of `only`'s comma-separated words."""
    named: list[tuple[str, Make]] = [(anchor.name, anchor) for anchor in anchors.ANCHORS]
    named += [(f"product on {framework}", partial(Product, framework=framework)) for framework in ("aiogram", "ptb")]
    words = [word.strip() for word in only.split(",") if word.strip()]
    return [make for name, make in named if not words or any(word in name for word in words)]


def median_run(runs: list[Measurement]) -> Measurement:
    """The run with the median mean latency, with the median CPU per update of all runs; each run's kept beside."""
    ordered = sorted(runs, key=lambda run: run.mean_us)
    chosen = ordered[len(ordered) // 2]
    chosen.cpu_us = statistics.median(run.cpu_us for run in runs)
    chosen.redis_cpu_us = statistics.median(run.redis_cpu_us for run in runs)
    chosen.extra["runs_mean_us"] = [round(run.mean_us) for run in runs]
    chosen.extra["runs_cpu_us"] = [round(run.cpu_us) for run in runs]
    chosen.extra["runs_redis_cpu_us"] = [round(run.redis_cpu_us) for run in runs]
    chosen.extra["runs_updates_per_s"] = [round(run.updates_per_s) for run in runs]
    return chosen


async def run(options: argparse.Namespace) -> int:
    citizens = options.citizens or (40 if options.quick else 500)
    repeat = options.repeat or (1 if options.quick else 3)
    sample = 5 if options.quick else 20  # citizens for the per-step byte counts and the password path
    workload = Workload.make(citizens, MAIN_FIRST_USER)
    warmup = Workload.make(5 if options.quick else 20, WARMUP_FIRST_USER)
    runs: dict[str, list[Measurement]] = {}
    extra: list[Measurement] = []  # measured inside a product run: listed after the scenarios
    redis: dict[str, Any] = {}
    profiles: dict[str, Any] = {}
    async with redis_server(options.parser) as server:
        machine = describe(await server.version(), server.url, server.embedded)
        print(f"{citizens} citizens, {workload.size} updates per scenario, {repeat} run(s) each", file=sys.stderr)

        async def after_product(scenario: Scenario, measurement: Measurement) -> None:
            """Once, on the first run of the product on aiogram: Redis bytes of live dialogs, the password path."""
            assert isinstance(scenario, Product)
            if scenario.framework == "aiogram" and "active_dialogs" not in redis:
                redis["active_dialogs"] = await redis_cost.active_dialogs(scenario, measurement, workload)
                extra.append(await measure_password(scenario, workload, min(sample, citizens)))

        makers = scenario_makers(options.only)
        for round_ in range(repeat):
            shift = round_ % len(makers)  # rotate, so no scenario always runs first or last
            for make in makers[shift:] + makers[:shift]:
                scenario = make(server)
                print(f"  run {round_ + 1}: {scenario.name} …", file=sys.stderr)
                after = after_product if scenario.kind == "product" else None
                runs.setdefault(scenario.name, []).append(await measure(scenario, workload, warmup, after))
        rows = [median_run(runs[name]) for name in runs] + extra
        for rate in [500.0, 1000.0] if options.rates is None else options.rates:
            for make in (anchors.AiogramFsmRedis, *scenario_makers("product")):
                scenario = make(server)
                print(f"  {scenario.name} at {rate:g}/s offered …", file=sys.stderr)
                rows.append(await measure(scenario, workload, warmup, rate=rate))
        print("  Redis bytes per step, expiry …", file=sys.stderr)
        redis["bytes_per_step"] = asdict(await redis_cost.bytes_per_step(server, sample))
        redis["expiry"] = await redis_cost.expiry(server)
        if options.profile:
            for framework in ("aiogram", "ptb"):
                print(f"  profile of the product on {framework} …", file=sys.stderr)
                profiles[framework] = await profile_product(server, framework, workload, warmup)
    result = {
        "machine": machine,
        "workload": {"citizens": citizens, "updates": workload.size, "invalid": workload.invalid,
                     "warmup_citizens": len(warmup.citizens), "repeat": repeat,
                     "feeding": "sequential, one update awaited at a time; rows 'at N/s offered': open loop"},
        "ratios": ratios(rows), "redis": redis, "profiles": profiles,
    }
    print(render(result, rows))
    write_json(options.out, result, rows)
    print(f"\nJSON: {options.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["load"]:
        from benchmarks import load

        return load.main(argv[1:])
    if argv[:1] == ["responsiveness"]:
        from benchmarks import responsiveness

        return int(responsiveness.main(argv[1:]))
    if argv[:1] == ["memory"]:
        from benchmarks import memory

        return int(memory.main(argv[1:]))
    if argv[:1] == ["calls"]:
        from benchmarks import calls

        return calls.main(argv[1:])
    if argv[:1] == ["qr"]:
        from benchmarks import qr

        return qr.main(argv[1:])
    options = arguments(argv)
    return eventloop.run(run(options), fast=options.loop == "uvloop")


if __name__ == "__main__":
    raise SystemExit(main())
