"""What Redis still holds of a citizen: every key that names them or holds their id in the clear."""

from __future__ import annotations

from redis.asyncio import Redis


async def keys_naming(redis: Redis, user_id: str) -> list[str]:
    """The keys whose name, member, field or value holds `user_id` (a sealed value names no one)."""
    found = []
    async for name in redis.scan_iter(match="*"):
        if user_id in name.decode() or any(user_id.encode() in part for part in await _contents(redis, name)):
            found.append(name.decode())
    return sorted(found)


async def _contents(redis: Redis, name: bytes) -> list[bytes]:
    kind = await redis.type(name)
    if kind == b"string":
        return [await redis.get(name) or b""]
    if kind == b"zset":
        return list(await redis.zrange(name, 0, -1))
    if kind == b"set":
        return list(await redis.smembers(name))
    if kind == b"hash":
        return [field + value for field, value in (await redis.hgetall(name)).items()]
    if kind == b"list":
        return list(await redis.lrange(name, 0, -1))
    return []
