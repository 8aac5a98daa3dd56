"""Redis bytes per registering citizen, every key counted: `python -m benchmarks memory [--citizens N]`.

N citizens register through a real `regbot run --webhook` worker
(`deployment`) until their dialogs wait at the password step: /start, the
three presses, the five answers, "Đăng ký" (which counts them in the
registration quotas) and the OTP (which issues the password link). Redis,
emptied first, is then read from outside: every key is found with SCAN,
sized with `MEMORY USAGE` and put in a kind by its name (the dialog, the
updates handled, the answer kept for a re-delivery, the password link's
pointer and record, the message-rate counter, the share of the 24 h
registration quota's hourly hashes (or, from earlier releases, its three counters per citizen), the share of
the set of idle dialogs); keys no citizen causes
(the worker's heartbeat) are listed apart. `INFO memory`'s `used_memory`
freed when the keys are then deleted gives the same from Redis's side, the
expiry index included (what it grew by during the run also holds the
workers' connections and their buffers).

The message-rate counter of earlier releases lived for its window (a
minute) after the citizen's last message, so it is counted: a citizen
parked a minute ago still had it. (It is now kept in the dialog's value,
with the ids of the updates handled.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from benchmarks.botapi_http import HttpBotApi
from benchmarks.deployment import Deployment, deployed
from benchmarks.load import dialog_steps as steps_of
from benchmarks.machine import describe
from benchmarks.redis_server import RedisServer, new_bot_id, redis_server
from benchmarks.report import machine_section
from benchmarks.stubs import BotApi, Chats
from benchmarks.workload import CitizenData, Updates, Workload

DEFAULT_OUT = Path(__file__).parent / "memory-results.json"
FIRST_USER = 9_500_000_000
# (kind, pattern over the key name), first match wins; the names are bot/storage/keys.py's
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern)) for kind, pattern in (
    ("dialog", r":dialog$"),
    ("handled", r":handled$"),
    ("kept answer", r":unsent$"),
    ("password link pointer", r"\}:pwlink$"),
    ("password link record", r":pwlink:"),
    ("message rate", r"\}:rate$"),
    ("quota: hours (shared)", r":quota:\{registrations\}:h:"),
    ("quota: user", r":quota:.*:user:"),
    ("quota: id", r":quota:.*:id:"),
    ("quota: phone", r":quota:.*:phone:"),
    ("idle set (shared)", r":idle:"),
    ("worker heartbeat", r":worker:"),
))
NOT_PER_CITIZEN = frozenset({"worker heartbeat"})
SHARED = frozenset({"idle set (shared)", "quota: hours (shared)"})  # keys every citizen has a share of


def kind_of(name: str) -> str:
    return next((kind for kind, pattern in KINDS if pattern.search(name)), "other: " + re.sub(r"[0-9a-f]{16,}|\d+",
                                                                                               "…", name))


async def register(bot: Deployment, updates: Updates, codes: dict[str, str], citizen: CitizenData,
                   workload: Workload, index: int) -> int:
    """The citizen's valid beats, each sent once the previous one was answered; the statuses not 200."""
    failed = 0
    for beat in workload.beats[index]:
        if not beat.valid:
            continue
        if beat.kind == "otp":
            codes[beat.value] = await bot.latest_code(beat.value)
        failed += await bot.post(updates.build(citizen, beat)) != 200
    return failed


async def census(server: RedisServer) -> dict[str, dict[str, int]]:
    """Every key: count and MEMORY USAGE bytes by kind."""
    sizes: dict[str, dict[str, int]] = {}
    async for raw in server.probe.scan_iter(count=1000):
        name = raw.decode()
        kind = sizes.setdefault(kind_of(name), {"keys": 0, "bytes": 0})
        kind["keys"] += 1
        kind["bytes"] += await server.probe.memory_usage(name, samples=0) or 0
    return sizes


async def measure(options: argparse.Namespace) -> dict[str, Any]:
    async with redis_server() as server:
        machine = describe(await server.version(), server.url, server.embedded)
        await server.clean()
        chats = Chats()
        api = BotApi(new_bot_id(), chats)
        http_api = HttpBotApi(api, on_send=lambda chat, at_ns: None)
        await http_api.start()
        try:
            env = {"TELEGRAM_RATE": "1000000", "TELEGRAM_CHAT_INTERVAL": "0"}  # pacing costs time, not bytes
            async with deployed(server, http_api, options.framework, env=env) as bot:
                before = await server.used_memory()
                keys_before = await server.probe.dbsize()
                workload = Workload.make(options.citizens, FIRST_USER)
                codes: dict[str, str] = {}
                updates = Updates(api.user, chats, lambda phone: codes.get(phone, "000000"))
                gate = asyncio.Semaphore(25)

                async def one(index: int) -> int:
                    async with gate:
                        return await register(bot, updates, codes, workload.citizens[index], workload, index)

                failed = sum(await asyncio.gather(*(one(index) for index in range(options.citizens))))
                await asyncio.sleep(options.settle)  # what a worker does after answering (if anything) is done
                sizes = await census(server)
                steps = await dialog_steps(server, bot, api.bot_id, workload)
                after = await server.used_memory()
                await server.clean([api.bot_id])
                emptied = await server.used_memory()
        finally:
            await http_api.stop()
    count = options.citizens
    per_citizen = {kind: round(value["bytes"] / count) for kind, value in sorted(sizes.items())
                   if kind not in NOT_PER_CITIZEN}
    # A key a citizen has only for a while (the message rate, a minute) may be gone for some: one each.
    at_parking = {kind: round(value["bytes"] / (count if value["keys"] == 1 or kind in SHARED else value["keys"]))
                  for kind, value in sorted(sizes.items()) if kind not in NOT_PER_CITIZEN}
    return {"machine": machine, "framework": options.framework, "citizens": count, "failed_posts": failed,
            "dialog_steps": steps, "keys_before": keys_before, "kinds": sizes,
            "bytes_per_citizen": {**per_citizen, "total": sum(per_citizen.values())},
            "bytes_per_citizen_every_key_present": {**at_parking, "total": sum(at_parking.values())},
            "used_memory_grown_per_citizen": round((after - before) / count),
            "used_memory_freed_per_citizen": round((after - emptied) / count)}


async def dialog_steps(server: RedisServer, bot: Deployment, bot_id: int, workload: Workload) -> dict[str, int]:
    return dict(await steps_of(server, bot.key, bot_id, workload, list(range(len(workload.citizens)))))


def render(result: dict[str, Any]) -> str:
    count = result["citizens"]
    lines = [machine_section(result["machine"]), "",
             f"Memory: {count} citizens parked at the password step through `regbot run --webhook` "
             f"(product on {result['framework']}); dialogs at {result['dialog_steps']}; MEMORY USAGE of every "
             "key, by kind, per citizen (and per citizen if each had the key: the message rate's lasts a minute):",
             ""]
    lines.append(f"  {'kind':<24} {'per citizen':>11} {'if present':>11}  keys")
    present = result["bytes_per_citizen_every_key_present"]
    for kind, size in result["bytes_per_citizen"].items():
        keys = result["kinds"].get(kind, {}).get("keys", "")
        lines.append(f"  {kind:<24} {size:>9} B {present[kind]:>9} B  {keys}")
    for kind in NOT_PER_CITIZEN & result["kinds"].keys():
        lines.append(f"  not per citizen: {kind}: {result['kinds'][kind]['keys']} keys, "
                     f"{result['kinds'][kind]['bytes']} B")
    lines.append(f"  INFO used_memory freed per citizen when the keys are deleted: "
                 f"{result['used_memory_freed_per_citizen']} B (the expiry index included); grown during the run: "
                 f"{result['used_memory_grown_per_citizen']} B (the workers' connections and buffers too)")
    return "\n".join(lines)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks memory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram", help="BOT_FRAMEWORK")
    parser.add_argument("--citizens", type=int, default=200,
                        help="citizens parked at the password step (default 200: past 128 the set of idle dialogs "
                             "is no longer a small listpack, as in production)")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds between the last answer and the count (default 3)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    result = asyncio.run(measure(options))
    print(render(result))
    options.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"\nJSON: {options.out}", file=sys.stderr)
    return 0
