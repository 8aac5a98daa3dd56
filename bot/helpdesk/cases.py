"""Help-desk cases in Redis: one per citizen, found by the citizen or by its forum topic.

A citizen is known by their dialog's key, qualified by the channel account
they write to (`DialogKey.bot`), so staff on Telegram can serve a citizen
of any channel; a case stored before there were other channels is one of
this bot's own citizens.

A case outlives a handoff: the same citizen asking again gets the same case
id and topic, so staff see the whole history in one place. Every worker
reads and writes the same records; the only race that matters — two staff
members writing first at the same moment — is settled by `claim`, one
script that sets the assignee only if there is none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, cast

from redis.asyncio import Redis

from bot.storage.keys import DeskKeys, DialogKey

CASE_TTL = 30 * 24 * 3600  # a case and its topic mapping are kept a month after their last change
SENT_ELSEWHERE = -1  # the copy of a staff message sent on a channel that edits no sent message (Zalo)

# KEYS: case  ARGV: staff id, staff name → 1 claimed, 0 someone has it
_CLAIM = """
local current = redis.call('HGET', KEYS[1], 'assignee')
if current and current ~= '' and current ~= '0' then return 0 end
redis.call('HSET', KEYS[1], 'assignee', ARGV[1], 'assignee_name', ARGV[2], 'status', 'talking')
return 1
"""


class Status(StrEnum):
    WAITING = "waiting"  # handed off, nobody has taken it yet
    TALKING = "talking"  # a staff member is with the citizen
    ASSISTANT = "assistant"  # given back to the assistant; staff can still follow and step in
    CLOSED = "closed"


@dataclass(slots=True)
class Case:
    id: str
    chat_id: str  # the citizen's dialog: chat and user, in the channel account `bot`
    user_id: str
    bot: str = ""
    status: Status = Status.CLOSED
    reason: str = ""
    since: float = 0.0  # when it was last handed off (epoch seconds)
    topic: int = 0  # the forum topic's message_thread_id; 0: none yet
    topic_name: str = ""
    card: int = 0  # the card's message id in the topic; 0: none yet
    card_text: str = ""  # as last posted (masked), to skip edits that change nothing
    assignee: int = 0
    assignee_name: str = ""

    @property
    def citizen(self) -> DialogKey:
        return DialogKey(self.bot, self.chat_id, self.user_id)


_TYPES = {field.name: field.type for field in fields(Case)}


def _decode(raw: dict[Any, Any]) -> Case:
    values: dict[str, object] = {}
    for name, value in raw.items():
        key, text = name.decode(), value.decode()
        kind = _TYPES.get(key)
        if kind is None:
            continue
        values[key] = int(text or 0) if kind == "int" else float(text or 0) if kind == "float" else \
            Status(text) if kind == "Status" else text
    return Case(**values)  # type: ignore[arg-type]


class CaseStore:
    def __init__(self, redis: Redis, bot_id: int) -> None:
        self._redis = redis
        self._bot = str(bot_id)
        self._keys = DeskKeys(bot_id)
        self._claim = redis.register_script(_CLAIM)

    async def get(self, case_id: bytes | str | None) -> Case | None:
        if not case_id:
            return None
        raw = await self._redis.hgetall(self._keys.case(case_id.decode() if isinstance(case_id, bytes) else case_id))
        if not raw:
            return None
        case = _decode(raw)
        case.bot = case.bot or self._bot
        return case

    async def of_citizen(self, key: DialogKey) -> Case | None:
        return await self.get(await self._redis.get(self._keys.citizen(key)))

    async def of_topic(self, topic: int) -> Case | None:
        return await self.get(await self._redis.get(self._keys.topic(topic)))

    async def start_assisted(self, staff_id: int) -> Case:
        """A case for a registration staff prepare at a counter; the citizen joins it by the link."""
        case = Case(str(await self._redis.incr(self._keys.seq)), "", "", self._bot)
        await self.save(case)
        await self._redis.set(self._keys.assisting(staff_id), case.id, ex=CASE_TTL)
        return case

    async def assisted_by(self, staff_id: int) -> Case | None:
        return await self.get(await self._redis.get(self._keys.assisting(staff_id)))

    async def attach(self, case: Case, key: DialogKey) -> None:
        """The citizen opened the prepared registration: from now on the case is theirs."""
        await self._redis.set(self._keys.citizen(key), case.id, ex=CASE_TTL)
        await self.save(case, chat_id=key.chat, user_id=key.user, bot=key.bot)

    async def open(self, key: DialogKey) -> Case:
        """The citizen's case, made with the next short id the first time."""
        found = await self.of_citizen(key)
        if found is not None:
            return found
        case = Case(str(await self._redis.incr(self._keys.seq)), key.chat, key.user, key.bot)
        if not await self._redis.set(self._keys.citizen(key), case.id, nx=True, ex=CASE_TTL):
            return await self.open(key)  # another worker made it first
        await self.save(case)
        return case

    async def save(self, case: Case, **changes: object) -> None:
        """Apply `changes` to `case` and store it (with its topic mapping)."""
        for name, value in changes.items():
            setattr(case, name, value)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(self._keys.case(case.id), mapping={k: str(v) for k, v in asdict(case).items()})
            pipe.expire(self._keys.case(case.id), CASE_TTL)
            pipe.expire(self._keys.citizen(case.citizen), CASE_TTL)
            if case.topic:
                pipe.set(self._keys.topic(case.topic), case.id, ex=CASE_TTL)
            if case.status is Status.WAITING:
                pipe.zadd(self._keys.waiting, {case.id: case.since})
                pipe.expire(self._keys.waiting, CASE_TTL)
            else:
                pipe.zrem(self._keys.waiting, case.id)
            await pipe.execute()

    async def claim(self, case: Case, staff_id: int, name: str) -> bool:
        """Make `staff_id` the assignee unless someone already is (the first message claims)."""
        if not await self._claim(keys=[self._keys.case(case.id)], args=[staff_id, name]):
            fresh = await self.get(case.id)
            if fresh is not None:
                case.assignee, case.assignee_name, case.status = fresh.assignee, fresh.assignee_name, fresh.status
            return False
        case.assignee, case.assignee_name, case.status = staff_id, name, Status.TALKING
        await self._redis.zrem(self._keys.waiting, case.id)
        return True

    async def forget(self, case: Case) -> None:
        """The citizen had their data deleted: the case, and every way to it from them or its topic, go."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._keys.case(case.id), self._keys.citizen(case.citizen),
                        self._keys.topic(case.topic), self._keys.copies(case.id))
            pipe.zrem(self._keys.waiting, case.id)
            await pipe.execute()

    async def waiting_since(self) -> list[float]:
        """When each case still waiting for staff was handed off (epoch seconds).

        Entries whose case is no longer waiting (deleted, or changed by an older release) are dropped.
        """
        waiting = await self._redis.zrange(self._keys.waiting, 0, -1, withscores=True)
        entries = cast("list[tuple[bytes, float]]", waiting)
        if not entries:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for case_id, _since in entries:
                pipe.hget(self._keys.case(case_id.decode()), "status")
            statuses = await pipe.execute()
        stale = [case_id for (case_id, _since), status in zip(entries, statuses, strict=True)
                 if status != Status.WAITING.value.encode()]
        if stale:
            await self._redis.zrem(self._keys.waiting, *stale)
        return [float(since) for (case_id, since) in entries if case_id not in stale]

    async def sent_elsewhere(self, case: Case, source: str) -> None:
        """`source` reached the citizen on a channel that cannot edit a sent message (Zalo): an edit is told."""
        await self._remember(case, source, SENT_ELSEWHERE)

    async def claim_relay(self, case: Case, source: str) -> bool:
        """Whether `source` is ours to relay: False when Telegram delivered it again (to this worker or another)
        and it was relayed, or is being relayed, already."""
        return await self._remember(case, source, 0, only_new=True)

    async def remember_copy(self, case: Case, source: str, copy_id: int) -> None:
        """`source` ("c:<id>" citizen's, "s:<id>" staff's) was relayed as `copy_id`: edits follow it."""
        await self._remember(case, source, copy_id)

    async def _remember(self, case: Case, source: str, copy_id: int, only_new: bool = False) -> bool:
        key = self._keys.copies(case.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            if only_new:
                pipe.hsetnx(key, source, copy_id)
            else:
                pipe.hset(key, source, copy_id)
            pipe.expire(key, 2 * 24 * 3600)  # Telegram lets messages be edited for 48 hours
            written, _ = await pipe.execute()
        return bool(written)

    async def first_edit(self, case: Case, source: str) -> bool:
        """Whether this is the first edit of `source` (a staff message sent where it cannot be edited) met."""
        return await self._remember(case, "edited:" + source, 0, only_new=True)

    async def copy_of(self, case: Case, source: str) -> int | None:
        """The copy `source` was relayed as (`SENT_ELSEWHERE` on Zalo); None before it was, or when its relay
        failed."""
        copy_id = await self._redis.hget(self._keys.copies(case.id), source)
        return int(copy_id) or None if copy_id else None
