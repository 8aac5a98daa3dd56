"""The help desk's keys moved, once, to names that carry their bot's hash tag (issue 18, Redis Cluster).

Redis Cluster runs a transaction only on keys of one slot, so a desk's keys
now carry the bot's id in braces (bot/storage/keys.py `DeskKeys`). Cases,
their topics and the waiting set live for a month, and the case counter for
good, so a worker starting with the help desk moves whatever it finds under
the names from before, before it serves: open cases keep their topics and
numbers. Each key is copied with its TTL (DUMP and RESTORE, which work across
slots) and then deleted; a key already written under its new name is kept,
and the old one dropped. Running twice, or in two workers at once, moves
each key once; a marker ends the search for good once nothing is left.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.storage.keys import DeskKeys

log = logging.getLogger(__name__)


async def tag_desk_keys(redis: Redis, bot_id: int | str) -> int:
    """Move the desk's keys of `bot_id` named before the tag; how many were moved."""
    desk = DeskKeys(bot_id)
    if await redis.exists(desk.tagged_since):
        return 0
    moved = 0
    async for raw in redis.scan_iter(match=_glob_escaped(desk.untagged_prefix) + "*", count=1000):
        old = raw.decode() if isinstance(raw, bytes) else str(raw)
        moved += await _move(redis, old, desk.tagged(old))
    await redis.set(desk.tagged_since, 1)
    if moved:
        log.info("help desk: %d key(s) renamed to carry the bot's hash tag", moved)
    return moved


async def _move(redis: Redis, old: str, new: str) -> int:
    dumped = await redis.dump(old)
    ttl = await redis.pttl(old)
    if dumped is None or ttl == -2:  # gone meanwhile (expired, or another worker moved it)
        return 0
    try:
        await redis.restore(new, max(ttl, 0), dumped)
    except ResponseError as error:
        if "BUSYKEY" not in str(error):
            raise
        await redis.delete(old)  # this release wrote it since: the newer one stands
        return 0
    await redis.delete(old)
    return 1


def _glob_escaped(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
