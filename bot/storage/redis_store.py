"""The dialog store (`DialogStore`, bot/storage/dialogs.py) in Redis: one document per dialog, one lock per dialog.

Handling an event is lock+load in one round trip and save+unlock in
another (two Lua scripts), so a second worker or a double tap waits for the
first to finish and then sees its result: no answer is lost or applied to a
stale dialog. Like aiogram's FSM middleware, the state is loaded only
inside the lock. A refusal does not change the document; it only renews
the idle TTL, and notes its update handled in the value's header.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from types import TracebackType
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.codec import DialogCodec
from bot.storage.decoded import DECODED_KEPT, DecodedDialogs
from bot.storage.dialogs import AlreadyHandled, Counted, DialogBusy, Held, LockLost, Tally, UnreadableDialog
from bot.storage.heartbeat import HEARTBEAT_TTL, stopped_beating
from bot.storage.keys import DialogKey, idle_dialogs
from bot.storage.lua_script import HeldConnections, LuaScript
from bot.storage.riders import Riders
from conversations.dialog import Dialog

# The stored value of a dialog: a header, then the codec's document (bot/storage/codec.py), so that the updates
# handled (a re-delivery is recognised) and the message rate's count cost no key of their own, about 120 and 100
# bytes of Redis memory per citizen (issue 18): "\2", the number of ids n, the messages counted in the current
# window (2 bytes) and when it ends (epoch ms, 6 bytes), then n tokens of 6 bytes (the first 48 bits of each update
# id's SHA-1), oldest first. ("\1", n, the tokens: without the count.) A value without the header (it starts with
# the JSON's "{") was written before: its ids are in the set `DialogKey.handled`, still read, and moved into the
# header by the next save of an update (a header holding ids has no set beside it: the set is not read again);
# its count is in `DialogKey.message_rate`, read until the header has one.
# A false "handled before" needs one of a dialog's 8 latest tokens to equal a new update's: 1 in 2^45.
_DIALOG_VALUE = """
local function token(id)
  return (string.gsub(string.sub(redis.sha1hex(id), 1, 12), '..', function(pair)
    return string.char(tonumber(pair, 16))
  end))
end
-- → the ids, where the document starts, the messages counted, when their window ends (ms; 0: none)
local function header_of(value)
  local form = value and string.byte(value, 1)
  if form == 2 then
    local n = string.byte(value, 2)
    return string.sub(value, 11, 10 + 6 * n), 11 + 6 * n, (struct.unpack('>I2', value, 3)),
      (struct.unpack('>I6', value, 5))
  elseif form == 1 then
    local n = string.byte(value, 2)
    return string.sub(value, 3, 2 + 6 * n), 3 + 6 * n, 0, 0
  end
  return '', 1, 0, 0
end
local function handled_before(value, legacy, id)
  local ids, seen = header_of(value), token(id)
  for at = 1, #ids, 6 do
    if string.sub(ids, at, at + 5) == seen then return true end
  end
  -- a header holding ids was written by a save that moved the set from before it into it: no set is left
  return ids == '' and redis.call('SISMEMBER', legacy, id) == 1
end
"""

# KEYS: lock, dialog, handled events (before the header), unsent answer[, counter (before the header)]
# ARGV: token, lock ms, event id or '', counter window ms
# → {1, dialog[, count, ms left in the counter's window, when it ends (ms)]} locked; {0, ms left} busy;
#   {2[, its answer, the worker that wrote it]} the event was handled before (not locked, not counted); the
#   answer kept since (its worker may have died before sending it) is claimed apart (`_CLAIM_ANSWER`), once
#   that worker is known to be gone
# The count is only read here, and written with the save (`_SAVE_AND_UNLOCK`, given it back), under the same lock:
# the client's retry of a call whose reply was lost (a Redis timeout; the lock already ours) counts the event once.
_LOCK_AND_LOAD = _DIALOG_VALUE + """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, redis.call('PTTL', KEYS[1])}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local dialog = redis.call('GET', KEYS[2])
if ARGV[3] ~= '' and handled_before(dialog, KEYS[3], ARGV[3]) then
  redis.call('DEL', KEYS[1])
  local unsent = redis.call('GET', KEYS[4])
  if unsent then
    local head = string.sub(unsent, 1, (string.find(unsent, '\\n', 1, true) or 1) - 1)
    local event, writer = string.match(head, '^([^ ]+) ?(.*)$')
    if event == ARGV[3] then
      return {2, string.sub(unsent, #head + 2), writer}
    end
  end
  return {2}
end
if not KEYS[5] then
  return {1, dialog}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local _, _, count, ends = header_of(dialog)
if ends == 0 then
  local left = redis.call('PTTL', KEYS[5])
  if left > 0 then
    count, ends = tonumber(redis.call('GET', KEYS[5])) or 0, now + left
  end
end
if ends <= now then
  count, ends = 0, now + tonumber(ARGV[4])
end
return {1, dialog, count + 1, ends - now, ends}
"""

log = logging.getLogger(__name__)

HANDLED_KEPT = 8
"""How many of a dialog's latest event ids are remembered: a re-delivery comes long before 8 newer updates."""

STRANDED_RETRY = 0.2
"""Seconds between two tries to release the locks a failing Redis kept (a failover takes seconds)."""

ANSWER_KEPT = 3600.0
"""Seconds an event's answer is kept for its re-delivery: a killed worker is replaced well within the hour,
and a dialog at rest does not carry its last answer (a few hundred bytes) for the rest of its TTL."""

# KEYS: lock, dialog, handled events (before the header), blocked, unsent answer
# ARGV: token, new document or '', idle ttl ms, event id or '', ids kept,
#       the event's answer ("<event id>\n<sealed>") or '', how long to keep it (ms),
#       the messages counted and when their window ends (ms), as `_LOCK_AND_LOAD` gave them, or '' and ''
#       (the header's count kept)
# An event id means a Telegram update from the citizen: whatever "blocked" said, they can be reached again.
# Any event that moves the dialog (a form submitted, staff acting) drops the previous event's answer: a
# re-delivery of that one would send an answer the dialog has left behind.
# → 1 saved; 2 the event is already marked handled (the client's retry of a call whose reply was lost; or,
#   the lock having expired, another worker's handling of the same update, whose result stands); 0 the lock was lost.
# An event refused (no new document) rewrites the value all the same, for its id in the header; past `kept` ids,
# the oldest is forgotten (Telegram's update ids only grow). The ids of the set from before the header are moved
# into it, oldest first. The bot's idle set is in another Redis Cluster slot: it is written beside this script
# (`_release`).
_SAVE_AND_UNLOCK = _DIALOG_VALUE + """
local current = redis.call('GET', KEYS[2])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  if ARGV[4] ~= '' and handled_before(current, KEYS[3], ARGV[4]) then
    return 2
  end
  return 0
end
if ARGV[4] == '' and ARGV[2] == '' and ARGV[8] == '' then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
else
  local ids, start, count, ends = header_of(current)
  if ARGV[8] ~= '' then
    count, ends = math.min(tonumber(ARGV[8]), 65535), tonumber(ARGV[9])
  end
  local document = ARGV[2]
  if document == '' and current then
    document = string.sub(current, start)
  end
  if ARGV[4] ~= '' then
    local legacy = ids == '' and redis.call('SMEMBERS', KEYS[3]) or {}
    if #legacy > 0 then
      table.sort(legacy, function(a, b) return (tonumber(a) or 0) < (tonumber(b) or 0) end)
      local before = {}
      for _, id in ipairs(legacy) do before[#before + 1] = token(id) end
      ids = table.concat(before) .. ids
      redis.call('DEL', KEYS[3])
    end
    ids = ids .. token(ARGV[4])
    local kept = 6 * tonumber(ARGV[5])
    if #ids > kept then ids = string.sub(ids, #ids - kept + 1) end
  end
  if ids ~= '' or ends > 0 then
    document = '\\2' .. string.char(#ids / 6) .. struct.pack('>I2', count) .. struct.pack('>I6', ends) .. ids
      .. document
  end
  redis.call('SET', KEYS[2], document, 'PX', ARGV[3])
end
if ARGV[6] ~= '' then
  redis.call('SET', KEYS[5], ARGV[6], 'PX', ARGV[7])
elseif ARGV[4] ~= '' or ARGV[2] ~= '' then
  redis.call('DEL', KEYS[5])
end
if ARGV[4] ~= '' then
  redis.call('DEL', KEYS[4])
end
redis.call('DEL', KEYS[1])
return 1
"""


# KEYS: lock, dialog, handled events, blocked, unsent answer, message rate, then each key holding a link's name
# ARGV: token → {1, each link's name or ''} erased, {0} another worker holds the lock
# No lock at all is erased too: the lock expired (the citizen asked for this all the same), or this is the
# client's retry of a call whose reply was lost, which finds it done. The links' records and the idle set lie
# in other Redis Cluster slots: the caller deletes them after (`_erase`).
_ERASE_AND_UNLOCK = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0}
end
local erased = {1}
for i = 7, #KEYS do
  erased[#erased + 1] = redis.call('GET', KEYS[i]) or ''
  redis.call('DEL', KEYS[i])
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
return erased
"""

# KEYS: dialog, blocked  ARGV: now (epoch s), ttl ms → 1 recorded, 0 no dialog to record it beside
# Only beside a dialog, in one step: a citizen who leaves (a Zalo unfollow, a refused /delete confirmation) as
# their /delete erases the dialog must not be named by a key the erasure can no longer remove (issue 19).
_MARK_BLOCKED = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
"""

# Also how a sent answer is forgotten (`answer_sent`): only if it is still that event's, not a newer one's.
# KEYS: unsent answer  ARGV: its first line ("<event id>[ <worker>]") → 1 taken (deleted) by this caller, 0 gone
_CLAIM_ANSWER = """
local unsent = redis.call('GET', KEYS[1])
if unsent and string.sub(unsent, 1, #ARGV[1] + 1) == ARGV[1] .. '\\n' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

# KEYS: idle dialogs  ARGV: now (epoch ms), at most → the members idle by now, taken out of the set
_TAKE_IDLE = """
local idle = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #idle > 0 then redis.call('ZREM', KEYS[1], unpack(idle)) end
return idle
"""


class RedisDialogStore:
    """`DialogStore` (bot/storage/dialogs.py) in Redis."""

    def __init__(
        self,
        redis: Redis,
        codec: DialogCodec,
        ttl: float = 24 * 3600,
        lock_ttl: float = 60.0,
        wait: float = 30.0,
        idle_after: float | None = None,
        worker: str = "",
        heartbeat_ttl: float = HEARTBEAT_TTL,
        forget_sent_after: float | None = None,
        riders: Riders | None = None,
    ) -> None:
        """`idle_after`: seconds without activity after which a dialog is listed by `take_idle` (None: never).
        `worker`: this process's id, whose heartbeat (`bot/storage/heartbeat.py`) says it is alive; an answer
        it keeps is given to a re-delivery only once its heartbeat is gone (`heartbeat_ttl` at the most).
        `forget_sent_after`: seconds after which the answers reported sent (`answer_sent`) are deleted, all
        in one round trip (and by `forget_sent`); None: not forgotten (they expire after `ANSWER_KEPT`).
        `riders`: other parts' commands sent in the round trip that locks a dialog (bot/storage/riders.py)."""
        self._redis = redis
        self._riders = riders
        self._forget_sent_after = forget_sent_after
        self._sent: list[tuple[str, str]] = []  # (unsent answer key, its first line) reported sent
        self._forgetting: asyncio.TimerHandle | None = None
        self._forget_tasks: set[asyncio.Task[None]] = set()
        self._worker = worker
        self._heartbeat_ttl = heartbeat_ttl
        self._codec = codec
        self._decoded = DecodedDialogs()  # what this process last read or wrote: not decoded again (decoded.py)
        self._ttl_ms = int(ttl * 1000)
        self._lock_ttl_ms = int(lock_ttl * 1000)
        self._wait = wait
        held = HeldConnections(redis)  # the two calls of every update, the lean way (bot/storage/lua_script.py)
        self._lock_and_load = LuaScript(redis, _LOCK_AND_LOAD, held)
        self._save_and_unlock = LuaScript(redis, _SAVE_AND_UNLOCK, held)
        self._erase_and_unlock = redis.register_script(_ERASE_AND_UNLOCK)
        self._take_idle = redis.register_script(_TAKE_IDLE)
        self._claim_answer = redis.register_script(_CLAIM_ANSWER)
        self._mark_blocked = redis.register_script(_MARK_BLOCKED)
        self._claim_sent = LuaScript(redis, _CLAIM_ANSWER, held)
        self._idle_after_ms = None if idle_after is None else int(idle_after * 1000)
        # Locks this process took but could not release because Redis failed under it (lock key → the dialog, the
        # lock's token, when it expires by itself). A replica promoted by Sentinel has them too, and would keep
        # those dialogs busy until then (DIALOG_LOCK_TTL): a task releases each as soon as Redis answers again.
        self._stranded: dict[str, tuple[DialogKey, str, float]] = {}
        self._releasing: asyncio.Task[None] | None = None

    def hold(
        self, key: DialogKey, event_id: str | None = None, tally: Tally | None = None,
    ) -> AbstractAsyncContextManager[Held]:
        """Lock the dialog, load it, and on a clean exit save `Held.save` and unlock.

        With an `event_id`, an event handled before raises `AlreadyHandled`, and this one is
        marked handled in the same step that saves its result: a worker killed in between
        leaves it unmarked, so the re-delivery is handled once the lock expires. `Held.answer`
        is kept with it, for a re-delivery after the save (the worker killed before sending).
        A plain class (`_Holding`), not an `asynccontextmanager`: its generator cost 1.4 µs of CPU more per
        update (issue 18).
        """
        return _Holding(self, key, event_id, tally)

    async def _lock(
        self, key: DialogKey, event_id: str | None, tally: Tally | None,
    ) -> tuple[Held, str, tuple[int, int] | None]:
        """`hold`'s entry: the dialog held, the lock's token, and the rate to write back with the save."""
        keys = lock_keys(key, tally)
        token = secrets.token_hex(16)
        args: list[str | int] = [token, self._lock_ttl_ms, event_id or ""]
        if tally is not None:
            args.append(tally.window_ms)
        locked = await self._acquire(keys, args, str(key.bot))  # some callers name a bot by its int id
        counted = Counted(int(locked[2]), int(locked[3])) if tally is not None else None
        rate = (int(locked[2]), int(locked[4])) if tally is not None else None  # written back with the save
        dialog, unreadable = self._readable(key, locked[1])
        return Held(dialog, counted, unreadable=unreadable), token, rate

    async def _unlock(
        self, key: DialogKey, event_id: str | None, held: Held, token: str, rate: tuple[int, int] | None,
    ) -> None:
        """`hold`'s clean exit: save (or erase) and unlock."""
        if held.erase:
            self._decoded.forget(key)
            await self._erase(key, token)
            return
        payload = self._codec.encode(held.save) if held.save is not None else b""
        answer = b""
        if event_id and held.answer:
            answer = f"{_answer_mark(event_id, self._worker)}\n".encode() + self._codec.seal_answer(held.answer)
        try:
            saved = await self._release(key, token, payload, event_id, answer, rate)
        except RedisError:
            self._decoded.forget(key)
            self._strand(key, token)  # not saved (or saved and unlocked: then releasing it finds no lock)
            raise
        if not saved:
            self._decoded.forget(key)
            raise LockLost(f"lock on {key.lock} expired before the dialog was saved")
        if held.save is not None:
            self._decoded.keep(key, payload, held.save)

    async def _release_after_failure(self, key: DialogKey, token: str, rate: tuple[int, int] | None) -> None:
        """Unlock without saving, the event counted all the same (one turned away for its rate ends here too);
        with Redis failing too, leave that for `_release_stranded`, and let the error that ended the handling
        propagate."""
        try:
            await self._release(key, token, b"", None, rate=rate)
        except RedisError:
            self._strand(key, token)

    def _strand(self, key: DialogKey, token: str) -> None:
        self._stranded[key.lock] = (key, token, time.monotonic() + self._lock_ttl_ms / 1000)
        if self._releasing is None or self._releasing.done():
            self._releasing = asyncio.create_task(self._release_stranded())

    async def _release_stranded(self) -> None:
        """Until none is left, release the locks Redis kept when it failed (or let them expire)."""
        while self._stranded:
            await asyncio.sleep(STRANDED_RETRY)
            for lock, (key, token, expires) in list(self._stranded.items()):
                try:
                    if time.monotonic() < expires:
                        await self._release(key, token, b"", None)
                except RedisError:
                    break  # still failing: all wait for the next round
                self._stranded.pop(lock, None)

    async def _release(
        self, key: DialogKey, token: str, payload: bytes, event_id: str | None, answer: bytes = b"",
        rate: tuple[int, int] | None = None,
    ) -> bool:
        """Save (or only keep alive), mark the event handled and keep its answer and its message count (`rate`:
        the count and when its window ends), note when the dialog falls idle, unlock."""
        handled = bool(payload or event_id)  # not the release after a failure
        *saved, idle, member = _names(key)
        keys = list(saved)
        args: list[bytes | str | int] = [
            token, payload, self._ttl_ms, event_id or "", HANDLED_KEPT, answer, int(ANSWER_KEPT * 1000),
            *(rate or ("", ""))]
        if self._idle_after_ms is None or not handled:
            return bool(await self._save_and_unlock(keys=keys, args=args))
        # The idle set lies in another Redis Cluster slot than the dialog: written beside the script, in the same
        # round trip. Written even when the lock was lost, which only moves the entry of a dialog whose holder
        # writes it again; GT: never earlier than a later save put it.
        idle_at = int(time.time() * 1000) + self._idle_after_ms
        return bool(await self._save_and_unlock(keys=keys, args=args,
                                                also=("ZADD", idle, "GT", idle_at, member)))

    async def _erase(self, key: DialogKey, token: str) -> None:
        """The dialog's keys in one script, then what lies in other Redis Cluster slots: its links' records (by
        the names the script read) and its entry in the idle set. Should Redis fail in between, a link left
        behind opens no dialog (there is none) and expires with its TTL; an idle entry finds no dialog to nudge."""
        try:
            erased = await self._erase_and_unlock(keys=erase_keys(key), args=[token])
        except RedisError:
            self._strand(key, token)
            raise
        if not erased[0]:
            raise LockLost(f"{key.lock} taken by another worker before the dialog was erased")
        async with self._redis.pipeline(transaction=False) as pipe:
            for (_pointer, prefix), name in zip(key.links, erased[1:], strict=True):
                if name:
                    pipe.delete(prefix + name.decode())
            pipe.zrem(key.idle, key.member)
            await pipe.execute()

    def answer_sent(self, key: DialogKey, event_id: str) -> None:
        """The answer kept for `event_id` was sent: it is forgotten, with the others sent meanwhile, in one
        round trip `forget_sent_after` seconds later, not one per update. A dialog parked after its answer
        (at the password step, say) no longer carries it (half a kilobyte) for `ANSWER_KEPT`; a re-delivery
        after that finds the update handled and nothing to send, as while its worker lives."""
        if self._forget_sent_after is None:
            return  # kept until the dialog's next change or `ANSWER_KEPT`, as before
        self._sent.append((key.unsent, _answer_mark(event_id, self._worker)))
        if self._forgetting is None:
            self._forgetting = asyncio.get_running_loop().call_later(self._forget_sent_after, self._forget_soon)

    def _forget_soon(self) -> None:
        self._forgetting = None
        task = asyncio.get_running_loop().create_task(self.forget_sent())
        self._forget_tasks.add(task)
        task.add_done_callback(self._forget_tasks.discard)

    async def forget_sent(self) -> None:
        """Delete the answers reported sent, each only if no newer answer replaced it (one round trip).
        At shutdown too, so a worker stopped gracefully leaves none behind."""
        if self._forgetting is not None:
            self._forgetting.cancel()
            self._forgetting = None
        sent, self._sent = self._sent, []
        if not sent:
            return
        try:  # packed by hiredis, on a held connection: redis-py's pipeline packed each call in Python
            await self._claim_sent.each([([unsent], [mark]) for unsent, mark in sent])
        except RedisError as error:  # they expire after ANSWER_KEPT all the same
            log.info("%d sent answer(s) not forgotten: %s", len(sent), type(error).__name__)

    async def mark_blocked(self, key: DialogKey) -> None:
        """The citizen blocked the bot: kept for as long as their dialog would be, for operators to see. With no
        dialog (erased by /delete, or expired) nothing is recorded: the key would name someone the bot forgot."""
        await self._mark_blocked(keys=[key.dialog, key.blocked], args=[int(time.time()), self._ttl_ms])

    async def take_idle(self, bot: str, limit: int = 100) -> list[DialogKey]:
        """Dialogs of `bot` idle for `idle_after`, each given to one caller only (it leaves the set)."""
        self._decoded.sweep()  # called every few seconds by every worker: a quiet one lets go of old dialogs too
        members = await self._take_idle(keys=[idle_dialogs(bot)], args=[int(time.time() * 1000), limit])
        return [DialogKey.of_member(bot, member.decode()) for member in members]

    def _readable(self, key: DialogKey, raw: bytes | None) -> tuple[Dialog | None, bool]:
        """The stored dialog, and whether a document was there but could not be read (a key retired too early,
        invalid values): that one starts afresh, rather than failing every event until it expires."""
        document = document_of(raw) if raw else b""
        if not document:
            return None, False
        dialog = self._decoded.get(key, document)
        if dialog is not None:
            return dialog, False
        try:
            dialog = self._codec.decode(document)
        except UnreadableDialog as error:  # its message names error types only, never a value
            log.warning("dialog %s:%s unreadable (%s): starting afresh", key.bot, key.user, error)
            return None, True
        self._decoded.keep(key, document, dialog)
        return dialog, False

    async def _unsent(self, keys: list[str], event_id: str, kept: list[Any]) -> bytes | None:
        """The answer kept for an event handled before, if its worker may have died before sending it: given
        to this caller once the worker that wrote it is gone (its heartbeat expired), never while it lives —
        it is still sending it, or a duplicate of the update came while it did (two webhook workers)."""
        if len(kept) < 2:
            return None
        sealed, writer = kept[0], kept[1].decode() if kept[1] else ""
        if writer and (writer == self._worker or not await stopped_beating(self._redis, writer, self._heartbeat_ttl)):
            return None  # this worker's own, or a live one's: it is sending it
        if not await self._claim_answer(keys=[keys[3]], args=[_answer_mark(event_id, writer)]):
            return None  # another re-delivery took it
        try:
            return self._codec.open_answer(sealed)
        except UnreadableDialog:
            log.warning("%s: the answer kept for a re-delivered event is sealed with an unknown key", keys[2])
            return None

    async def load(self, key: DialogKey) -> Dialog | None:
        """Read without locking: for status views and tests, never for handling. `UnreadableDialog` (never
        pydantic's `ValidationError`, which quotes the values) for a document this release cannot read."""
        raw = await self._redis.get(key.dialog)
        document = document_of(raw) if isinstance(raw, bytes) else b""
        return self._codec.decode(document) if document else None

    async def _acquire(self, keys: list[str], args: list[str | int], channel: str) -> list[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        pause = 0.005
        ride = self._riders.ride(channel) if self._riders is not None else None
        while True:
            if ride is not None:  # on the first try only
                (command, took), ride = ride, None
                answer = await self._lock_and_load(keys=keys, args=args, also=command, on_also=took)
            else:
                answer = await self._lock_and_load(keys=keys, args=args)
            if answer[0] == 1:
                return answer  # type: ignore[no-any-return]
            if answer[0] == 2:
                raise AlreadyHandled(keys[2], await self._unsent(keys, str(args[2]), answer[1:]))
            if loop.time() >= deadline:
                raise DialogBusy(f"{keys[0]} still held after {self._wait:.0f} s")
            await asyncio.sleep(min(pause, max(0.001, answer[1] / 1000)))
            pause = min(pause * 2, 0.1)


class _Holding:
    """`RedisDialogStore.hold`: locked and loaded on entry; saved and unlocked on a clean exit, else unlocked
    without saving (the error that ended the handling goes on)."""

    __slots__ = ("_event_id", "_held", "_key", "_rate", "_store", "_tally", "_token")

    def __init__(self, store: RedisDialogStore, key: DialogKey, event_id: str | None, tally: Tally | None) -> None:
        self._store, self._key, self._event_id, self._tally = store, key, event_id, tally

    async def __aenter__(self) -> Held:
        self._held, self._token, self._rate = await self._store._lock(self._key, self._event_id, self._tally)
        return self._held

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            await self._store._release_after_failure(self._key, self._token, self._rate)
            return
        await self._store._unlock(self._key, self._event_id, self._held, self._token, self._rate)


def lock_keys(key: DialogKey, tally: Tally | None = None) -> list[str]:
    """`_LOCK_AND_LOAD`'s keys: the dialog's own (a tally counts one of them, `DialogKey.message_rate`)."""
    lock, dialog, handled, _blocked, unsent, _idle, _member = _names(key)
    return [lock, dialog, handled, unsent, *([tally.key] if tally is not None else [])]


def save_keys(key: DialogKey) -> list[str]:
    """`_SAVE_AND_UNLOCK`'s keys."""
    return list(_names(key)[:5])


@lru_cache(maxsize=DECODED_KEPT)
def _names(key: DialogKey) -> tuple[str, str, str, str, str, str, str]:
    """The names the two scripts of every update use (`save_keys`, then the idle set and the dialog's member in it),
    formatted once for a dialog in use: a dozen f-strings per update were 8–10 µs of CPU on the benchmark's machine."""
    return key.lock, key.dialog, key.handled, key.blocked, key.unsent, key.idle, key.member


def erase_keys(key: DialogKey) -> list[str]:
    """`_ERASE_AND_UNLOCK`'s keys: the dialog's own (its message counter too: its name holds the user's id), then
    the keys holding its links' names."""
    return [key.lock, key.dialog, key.handled, key.blocked, key.unsent, key.message_rate,
            *(pointer for pointer, _prefix in key.links)]


def _header(value: bytes) -> tuple[bytes, int]:
    """The update ids' tokens in a dialog's stored value and where its document starts (`_DIALOG_VALUE`)."""
    if value[:1] == b"\x02":
        return value[10:10 + 6 * value[1]], 10 + 6 * value[1]
    if value[:1] == b"\x01":
        return value[2:2 + 6 * value[1]], 2 + 6 * value[1]
    return b"", 0


def document_of(value: bytes) -> bytes:
    """The codec's document in a dialog's stored value: after the header (`_DIALOG_VALUE`), if any; empty for the
    value of a dialog whose updates were all refused before it had a document."""
    return value[_header(value)[1]:]


def remembers(value: bytes, event_id: str) -> bool:
    """Whether a dialog's stored value holds `event_id` among its updates handled: what the scripts check
    (`_DIALOG_VALUE`), for tests and operators' tools."""
    token = hashlib.sha1(event_id.encode()).digest()[:6]  # a short name for an id, not a secret
    ids = _header(value)[0]
    return any(ids[at:at + 6] == token for at in range(0, len(ids), 6))


def message_window_ends(value: bytes) -> int:
    """When the message rate's current window ends in a dialog's stored value (epoch ms; 0: no count kept)."""
    return int.from_bytes(value[4:10], "big") if value[:1] == b"\x02" else 0


def _answer_mark(event_id: str, worker: str) -> str:
    """The first line of a kept answer: its event, and the worker that wrote it (none before workers beat)."""
    return f"{event_id} {worker}" if worker else event_id
