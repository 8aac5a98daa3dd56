"""The printed table and the JSON file, from the same numbers."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.harness import Measurement

RATIOS = (  # (label, slower, faster): how many times the first's mean latency is the second's
    ("product on aiogram / aiogram FSM + RedisStorage", "product on aiogram", "aiogram FSM + RedisStorage"),
    ("product on aiogram / echo on aiogram", "product on aiogram", "echo on aiogram"),
    ("product on PTB / PTB ConversationHandler (memory)", "product on ptb", "PTB ConversationHandler (memory)"),
    ("product on PTB / echo on PTB", "product on ptb", "echo on PTB"),
    ("product on PTB / product on aiogram", "product on ptb", "product on aiogram"),
    ("aiogram FSM + RedisStorage / echo on aiogram", "aiogram FSM + RedisStorage", "echo on aiogram"),
    ("echo on PTB / echo on aiogram", "echo on PTB", "echo on aiogram"),
)


CPU_RATIOS = (  # issue 18's target: the product's CPU per update ≤ 0.67× aiogram FSM + RedisStorage's, both frameworks
    ("CPU: product on aiogram / aiogram FSM + RedisStorage", "product on aiogram", "aiogram FSM + RedisStorage"),
    ("CPU: product on PTB / aiogram FSM + RedisStorage", "product on ptb", "aiogram FSM + RedisStorage"),
    ("CPU with Redis's: product on aiogram / aiogram FSM + RedisStorage", "product on aiogram",
     "aiogram FSM + RedisStorage"),
    ("CPU with Redis's: product on PTB / aiogram FSM + RedisStorage", "product on ptb", "aiogram FSM + RedisStorage"),
)


def ratios(rows: list[Measurement]) -> dict[str, float]:
    by_name = {row.name: row for row in rows}
    found = {label: round(by_name[slow].mean_us / by_name[fast].mean_us, 2)
             for label, slow, fast in RATIOS if slow in by_name and fast in by_name}
    for label, slow, fast in CPU_RATIOS:
        if slow in by_name and fast in by_name and by_name[fast].cpu_us:
            with_redis = label.startswith("CPU with")
            mine = by_name[slow].cpu_us + (by_name[slow].redis_cpu_us if with_redis else 0)
            theirs = by_name[fast].cpu_us + (by_name[fast].redis_cpu_us if with_redis else 0)
            found[label] = round(mine / theirs, 2)
    return found


def _echo_of(row: Measurement, rows: list[Measurement]) -> Measurement | None:
    return next((r for r in rows if r.name.startswith("echo") and r.framework == row.framework), None)


def table(rows: list[Measurement]) -> str:
    head = (f"{'scenario':<46} {'fw':<8} {'updates':>7} {'upd/s':>8} {'mean µs':>9} {'p50 µs':>9} {'p99 µs':>9} "
            f"{'×echo':>6} {'API/upd':>7} {'+resp':>6} {'Redis RT/upd':>12} {'CPU µs':>7} {'Redis CPU µs':>12} "
            f"{'loop/parser':<15}  runs' mean µs; runs' CPU µs")
    lines = [head, "-" * len(head)]
    for row in rows:
        echo = _echo_of(row, rows)
        versus = f"{row.mean_us / echo.mean_us:.1f}" if echo else "-"
        api, carried = sum(row.bot_api_calls.values()), sum(row.carried_calls.values())
        lines.append(f"{row.name:<46} {row.framework:<8} {row.updates:>7} {row.updates_per_s:>8.0f} "
                     f"{row.mean_us:>9.0f} {row.p50_us:>9.0f} {row.p99_us:>9.0f} {versus:>6} {api:>7.2f} "
                     f"{carried:>6.2f} {row.redis_round_trips:>12.2f} {_cpu(row.cpu_us):>7} "
                     f"{_cpu(row.redis_cpu_us):>12} {row.loop + '/' + row.parser:<15}  {_runs(row)}")
    return "\n".join(lines)


def _cpu(us: float) -> str:
    return f"{us:.0f}" if us else "-"


def _runs(row: Measurement) -> str:
    means, cpus = row.extra.get("runs_mean_us", []), row.extra.get("runs_cpu_us", [])
    if len(means) < 2:
        return ""
    return "/".join(str(mean) for mean in means) + "; " + "/".join(str(cpu) for cpu in cpus)


def calls_section(rows: list[Measurement]) -> str:
    """Bot API calls per update by method: requests, and those a webhook's response carries instead."""
    lines = ["Bot API calls per update (API/upd: requests; +resp: carried in the webhook's HTTP response instead, "
             "which polling makes as requests):"]
    for row in rows:
        if row.kind == "product" and row.bot_api_calls:
            carried = f"; in the response: {_commands(row.carried_calls)}" if row.carried_calls else ""
            lines.append(f"  {row.name}: {_commands(row.bot_api_calls)}{carried}")
    return "\n".join(lines)


def _commands(per_update: dict[str, float]) -> str:
    return ", ".join(f"{name} {count:g}" for name, count in per_update.items()) or "none"


def redis_section(rows: list[Measurement], redis: dict[str, Any]) -> str:
    lines = ["Redis per handled update (client: commands the client sent, one round trip each; "
             "server: INFO commandstats delta, Lua's inner calls included):"]
    for row in rows:
        if row.redis_round_trips:
            setup = row.extra.get("redis_connection_setup_round_trips")
            opened = f" (+ {setup} in all opening connections)" if setup else ""
            lines.append(f"  {row.name}: {row.redis_round_trips:g} round trips{opened}")
            lines.append(f"    client: {_commands(row.redis_client_commands)}")
            lines.append(f"    server: {_commands(row.redis_server_commands)}")
    steps = redis.get("bytes_per_step")
    if steps:
        lines.append(f"Bytes of one dialog after each valid answer (MEMORY USAGE, mean of {steps['citizens']} "
                     "citizens; document = STRLEN of the encoded dialog):")
        lines.append(f"  {'after':<11} {'dialog':>7} {'document':>9} {'handled':>8} {'pwlink':>7} {'link rec':>9} "
                     f"{'idle':>5} {'total':>7}")
        for step in steps["steps"]:
            lines.append(f"  {step['after']:<11} {step['dialog']:>7} {step['document']:>9} {step['handled']:>8} "
                         f"{step['pwlink']:>7} {step['link record']:>9} {step['idle entry']:>5} {step['total']:>7}")
    active = redis.get("active_dialogs")
    if active:
        per = active["bytes_per_dialog"]
        lines.append(f"Active dialogs after the stream ({active['dialogs']}, all at the password step): "
                     f"{per['total']} B per dialog by MEMORY USAGE (dialog {per['dialog']}, handled {per['handled']}, "
                     f"pwlink {per['pwlink']}, link record {per['link record']}, idle entry {per['idle entry']}; "
                     f"document {per['document']}); "
                     f"used_memory grew {active['used_memory_delta_per_dialog']} B per dialog")
        ttl = active["pttl_ms_of_one"]
        lines.append(f"  PTTL of one: dialog {ttl['dialog']} ms, handled {ttl['handled']} ms, "
                     f"pwlink {ttl['pwlink']} ms")
    expiry = redis.get("expiry")
    if expiry:
        lines.append(f"Idle expiry (DIALOG_TTL={expiry['dialog_ttl_s']} s): PTTL after /start dialog "
                     f"{expiry['dialog_pttl_ms']} ms, handled {expiry['handled_pttl_ms']} ms; after "
                     f"{expiry['slept_s']:.1f} s idle: dialog exists={expiry['dialog_exists']}, "
                     f"handled exists={expiry['handled_exists']} -> "
                     f"{'expired' if expiry['expired'] else 'NOT expired'}")
    return "\n".join(lines)


def profile_section(profile: dict[str, Any]) -> str:
    if "error" in profile:
        return f"Profile: {profile['error']}"
    lines = [f"Profile (pyinstrument, product on {profile['framework']}, {profile['updates']} updates, "
             f"{profile['sampled_s']} s sampled): top frames by own time"]
    for frame in profile["top_frames"]:
        where = f"{frame['file']}:{frame['line']}"
        lines.append(f"  {frame['share'] * 100:5.1f}%  {frame['function']:<34} {where}")
    lines.append("  by package: " + ", ".join(f"{name} {share * 100:.1f}%"
                                             for name, share in profile["packages"].items()))
    return "\n".join(lines)


def machine_section(machine: dict[str, Any]) -> str:
    libraries = ", ".join(f"{name} {version}" for name, version in machine["libraries"].items())
    return (f"Machine: {machine['cpu']}, {machine['cores']} cores ({machine['usable_cores']} usable), "
            f"{machine['python']}, {machine['os']}\nRedis: {machine['redis_server']}\nLibraries: {libraries}")


def render(result: dict[str, Any], rows: list[Measurement]) -> str:
    parts = [machine_section(result["machine"]), "",
             f"Workload: {result['workload']['citizens']} citizens, {result['workload']['updates']} updates "
             f"({result['workload']['invalid']} invalid answers), round-robin, fed one at a time; "
             f"warm-up {result['workload']['warmup_citizens']} other citizens; median of "
             f"{result['workload']['repeat']} run(s) by mean latency. Rows 'at N/s offered': one open-loop run, "
             "update i due at i/N s, latency from due to handled, upd/s = achieved", "",
             table(rows), ""]
    parts += [f"  {label}: {value}×" for label, value in result["ratios"].items()]
    parts += ["", "Checks:"] + [f"  {row.name}: {row.check}" for row in rows if row.check]
    parts += ["", calls_section(rows), "", redis_section(rows, result["redis"])]
    for profile in result["profiles"].values():
        parts += ["", profile_section(profile)]
    return "\n".join(parts)


def write_json(path: Path, result: dict[str, Any], rows: list[Measurement]) -> None:
    document = {**result, "scenarios": [asdict(row) for row in rows]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
