"""What a dialog costs in Redis: bytes at each step, bytes per active dialog, and that idle ones expire.

Keys of one dialog (bot/storage/keys.py): `regbot:{bot:chat:user}:dialog`
(the document, after a header with the ids of the updates handled and the
message rate's count), `…:handled` (where earlier releases kept those ids: 0 now),
`…:lock` (only while an update is handled), `…:unsent` (the answer to the
latest update, sealed, in case its worker died before sending it; forgotten
about a second after it was sent, so found only right after an update),
`…:pwlink` (the newest password
link's nonce), `regbot:pwlink:<nonce>` (the link's record), and the dialog's
entry in its bot's set of dialogs by idle time (`regbot:idle:<bot>`, for the
reminder; its share: the set's size over its members). Sizes are
`MEMORY USAGE` (what Redis holds, overhead included) and `STRLEN` (the
encoded document itself).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness import WARMUP_FIRST_USER, Measurement, Scenario
from benchmarks.product import Product
from benchmarks.redis_server import RedisServer
from benchmarks.workload import Updates, Workload
from bot.storage import DialogKey
from bot.storage.keys import PREFIX
from bot.webapp.links import PasswordLinks
from conversations.events import Command

KINDS = ("dialog", "handled", "unsent", "pwlink", "link record", "idle entry")


@dataclass(slots=True)
class DialogBytes:
    """Averages over the sampled citizens, per step."""

    citizens: int
    steps: list[dict[str, Any]] = field(default_factory=list)


async def key_sizes(server: RedisServer, key: DialogKey) -> dict[str, int]:
    """MEMORY USAGE of each key of one dialog (0 when absent), and the document's STRLEN."""
    probe = server.probe
    sizes = {"dialog": await probe.memory_usage(key.dialog) or 0,
             "handled": await probe.memory_usage(key.handled) or 0,
             "unsent": await probe.memory_usage(key.unsent) or 0,
             "pwlink": await probe.memory_usage(key.password_link) or 0,
             "document": int(await probe.strlen(key.dialog))}
    nonce = await probe.get(key.password_link)
    record = PasswordLinks.PREFIX + (nonce.decode() if isinstance(nonce, bytes) else str(nonce))
    sizes["link record"] = (await probe.memory_usage(record) or 0) if nonce else 0
    members = await probe.zcard(key.idle)
    sizes["idle entry"] = round((await probe.memory_usage(key.idle, samples=0) or 0) / members) if members else 0
    return sizes


async def bytes_per_step(server: RedisServer, citizens: int) -> DialogBytes:
    """Registrations fed one citizen at a time (product on aiogram), sizes read after each valid answer."""
    product = Product(server, "aiogram")
    workload = Workload.make(citizens, WARMUP_FIRST_USER + 500_000)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    order: list[str] = []
    await server.clean()
    await product.start()
    try:
        updates = Updates(product.api.user, product.chats, product.otp_code, first_update_id=50_000_000)
        for citizen, beats in zip(workload.citizens, workload.beats, strict=True):
            for beat in beats:
                await product.feed(updates.build(citizen, beat))
                if not beat.valid:
                    continue
                if beat.step not in order:
                    order.append(beat.step)
                for kind, size in (await key_sizes(server, product.key(citizen.user_id))).items():
                    totals[beat.step][kind] += size
    finally:
        await product.stop()
        await server.clean([product.bot_id])
    result = DialogBytes(citizens)
    for step in order:
        row = {kind: round(total / citizens) for kind, total in totals[step].items()}
        row["total"] = sum(row[kind] for kind in KINDS)
        result.steps.append({"after": step, **row})
    return result


async def active_dialogs(scenario: Scenario, measurement: Measurement, workload: Workload) -> dict[str, Any]:
    """Every key of the run's dialogs, right after the stream (all citizens waiting at the password step)."""
    assert isinstance(scenario, Product)
    server = scenario.server
    by_kind: dict[str, int] = defaultdict(int)
    ttl_ms: dict[str, int] = {}
    for citizen in workload.citizens:
        key = scenario.key(citizen.user_id)
        for kind, size in (await key_sizes(server, key)).items():
            by_kind[kind] += size
        if not ttl_ms:
            ttl_ms = {"dialog": await server.probe.pttl(key.dialog), "handled": await server.probe.pttl(key.handled),
                      "pwlink": await server.probe.pttl(key.password_link)}
    count = len(workload.citizens)
    per_dialog = {kind: round(size / count) for kind, size in by_kind.items()}
    per_dialog["total"] = sum(per_dialog[kind] for kind in KINDS)
    used = await server.used_memory()
    keys = await server.probe.dbsize() if server.embedded else None
    grown = used - measurement.extra["used_memory_before"]
    return {"dialogs": count, "bytes_per_dialog": per_dialog, "pttl_ms_of_one": ttl_ms,
            "used_memory_delta_per_dialog": round(grown / count), "keys_in_db": keys}


async def expiry(server: RedisServer, ttl: float = 1.0) -> dict[str, Any]:
    """A dialog stored with DIALOG_TTL=`ttl` s is gone once it has been idle that long."""
    product = Product(server, "aiogram", dialog_ttl=ttl)
    await product.start()
    try:
        assert product.assistant is not None
        key = DialogKey(str(product.bot_id), "42", "42")
        await product.assistant.handle(key, Command("start"), event_id="1")
        probe = server.probe
        before = {"dialog_pttl_ms": await probe.pttl(key.dialog), "handled_pttl_ms": await probe.pttl(key.handled)}
        await asyncio.sleep(ttl + 0.3)
        after = {"dialog_exists": bool(await probe.exists(key.dialog)),
                 "handled_exists": bool(await probe.exists(key.handled))}
    finally:
        await product.stop()
        await server.clean([product.bot_id])
    expired = not after["dialog_exists"] and not after["handled_exists"]
    return {"dialog_ttl_s": ttl, **before, "slept_s": ttl + 0.3, **after, "expired": expired,
            "key_prefix": PREFIX}
