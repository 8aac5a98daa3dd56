"""Registrations started per day, per Telegram user, per ID number and per phone: counted in Redis.

The review step asks this quota (the `conversations.quota` port) before it
submits to the portal. Each counted identifier has a counter of the
registrations it started in the last 24 hours (rolling); a registration is
a keyed hash of its idempotency key, so a retried submit of the same form
is found and not counted again. One Lua script checks every counter and
adds to all of them only when each has room, so two workers cannot both
take the last place. The identifiers in key names are keyed hashes
(`bot.core.pseudonyms`): Redis never holds an ID number or phone in clear.

Every identifier counted in one hour shares one of that hour's 16 hashes
(`SHARDS`; a field each, named by 12 bytes of its keyed hash, holding
12-byte entries, one per registration: when it started, epoch seconds, 4
bytes big-endian, and 8 bytes of the registration's keyed hash), which
expires a window after the hour ends; a claim reads the window's hours.
Every citizen who submits is counted three times, for a day, so the form
counts (issue 18): a field costs about 30 bytes of Redis memory in a
listpack, where a key of its own took 128 (its name, its dictionary and
expiry entries), and a sorted set before that 168.
Counters left by earlier releases (a string of entries, or a sorted set
scored by epoch ms and named by the 32 hex digits of the same hash, under a
key per identifier) are still read, and emptied into the hours' hashes the
first time they count a registration.

Why these defaults (3 a day each, `REGISTRATIONS_PER_*`): a citizen needs
one registration; a second and a third cover a correction after the portal
refused (a phone not in their name, a typo), since each edited form is a new
registration. Beyond that, per user stops one Telegram account trying many
IDs, per ID stops many accounts trying one person's ID, and per phone stops
the portal's SMS being used to pester one number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from bot.core.pseudonyms import Pseudonyms
from bot.storage import DialogKey
from bot.storage.keys import registration_quota, registration_quota_hour
from conversations.portal import Registration

DAY = timedelta(days=1)

HOUR = 3600
"""Seconds of registrations one hash holds: a claim reads a day's 25 of them, at the review step only."""
SHARDS = 16
"""Hashes an hour's fields are spread over, so each stays a listpack (Redis's compact form: about 30 bytes a field,
against 93 in a hash table) up to 16 × 128 fields an hour at Redis 7's default `hash-max-listpack-entries` (512 in
6.2): some 680 registrations an hour; past that a field costs what one hash would."""

# KEYS: each counted identifier's counter from before the hourly hashes, then for each identifier the window's
# hours' hashes of its shard, oldest first (the last one now's). ARGV: the registration (8 bytes), now (ms),
# window (ms), the first hour (epoch seconds // HOUR), then per identifier: its field, its limit.
# → 0: counted (or counted before); else the time (ms) from which one may be started again.
_CLAIM = """
local member, now, window = ARGV[1], math.floor(tonumber(ARGV[2]) / 1000), math.floor(tonumber(ARGV[3]) / 1000)
local first_hour, kinds = tonumber(ARGV[4]), (#ARGV - 4) / 2
local hours = (#KEYS - kinds) / kinds
local function packed(hex)
  return (string.gsub(string.sub(hex, 1, 16), '..', function(pair) return string.char(tonumber(pair, 16)) end))
end
local function legacy_entries(key)
  local found = {}
  local kind = redis.call('TYPE', key).ok
  if kind == 'zset' then
    local old = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    for i = 1, #old, 2 do
      found[#found + 1] = {math.floor(tonumber(old[i + 1]) / 1000), packed(old[i])}
    end
  elseif kind == 'string' then
    local value = redis.call('GET', key)
    for at = 1, #value - 11, 12 do
      found[#found + 1] = {struct.unpack('>I4', value, at), string.sub(value, at + 4, at + 11)}
    end
  end
  return found, kind ~= 'none'
end
local stored, legacy, had_legacy, counted, again = {}, {}, {}, {}, 0
for i = 1, kinds do
  local field, limit = ARGV[3 + 2 * i], tonumber(ARGV[4 + 2 * i])
  local live = {}
  local found
  found, had_legacy[i] = legacy_entries(KEYS[i])
  legacy[i] = {}
  for _, entry in ipairs(found) do
    if entry[1] > now - window then
      live[#live + 1] = entry
      legacy[i][#legacy[i] + 1] = entry
    end
  end
  stored[i] = {}
  for h = 1, hours do
    local value = redis.call('HGET', KEYS[kinds + (i - 1) * hours + h], field) or ''
    stored[i][h] = value
    for at = 1, #value - 11, 12 do
      local entry = {struct.unpack('>I4', value, at), string.sub(value, at + 4, at + 11)}
      if entry[1] > now - window then live[#live + 1] = entry end
    end
  end
  for _, entry in ipairs(live) do
    if entry[2] == member then counted[i] = true end
  end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  if not counted[i] and #live >= limit then
    again = math.max(again, live[#live - limit + 1][1] + window)
  end
end
if again > 0 then
  return again * 1000
end
for i = 1, kinds do
  local field, added = ARGV[3 + 2 * i], {}
  for _, entry in ipairs(legacy[i]) do
    local h = math.min(math.max(math.floor(entry[1] / HOUR) - first_hour + 1, 1), hours)
    added[h] = (added[h] or '') .. struct.pack('>I4', entry[1]) .. entry[2]
  end
  if not counted[i] then
    added[hours] = (added[hours] or '') .. struct.pack('>I4', now) .. member
  end
  for h, more in pairs(added) do
    redis.call('HSET', KEYS[kinds + (i - 1) * hours + h], field, stored[i][h] .. more)
    redis.call('EXPIRE', KEYS[kinds + (i - 1) * hours + h], (first_hour + h) * HOUR + window - now)  -- now: a test's
  end
  if had_legacy[i] then
    redis.call('DEL', KEYS[i])
  end
end
return 0
""".replace("HOUR", str(HOUR))


@dataclass(frozen=True, slots=True)
class RegistrationLimits:
    """Registrations each may start per rolling day; 0 means no limit for that identifier."""

    per_user: int = 3
    per_id: int = 3
    per_phone: int = 3


class RedisRegistrationQuota:
    def __init__(
        self, redis: Redis, pseudonyms: Pseudonyms, limits: RegistrationLimits, window: timedelta = DAY,
    ) -> None:
        self._claim = redis.register_script(_CLAIM)
        self._pseudonyms = pseudonyms
        self._limits = limits
        self._window_ms = int(window.total_seconds() * 1000)
        self._hours = -(-self._window_ms // (HOUR * 1000)) + 1  # the hours a window can reach into, now's included

    def for_dialog(self, key: DialogKey) -> DialogQuota:
        """The quota as the flow sees it for one dialog: its Telegram user is one of the counted."""
        return DialogQuota(self, key.user)

    async def claim(
        self, user: str, registration: Registration, idempotency_key: str, now: datetime,
    ) -> datetime | None:
        counted = [
            (kind, value, limit) for kind, value, limit in (
                ("user", user, self._limits.per_user),
                ("id", registration.id_number, self._limits.per_id),
                ("phone", registration.phone, self._limits.per_phone),
            ) if limit > 0
        ]
        if not counted:
            return None
        pseudonyms = [self._pseudonyms.of(kind, value) for kind, value, _limit in counted]
        member = bytes.fromhex(self._pseudonyms.of("registration", idempotency_key)[:16])
        now_ms = int(now.timestamp() * 1000)
        first_hour = now_ms // 1000 // HOUR - self._hours + 1
        keys = [*(registration_quota(kind, pseudonym) for (kind, *_rest), pseudonym in zip(counted, pseudonyms,
                                                                                           strict=True)),
                *(registration_quota_hour(first_hour + n, shard_of(pseudonym)) for pseudonym in pseudonyms
                  for n in range(self._hours))]
        fields = [part for pseudonym, (*_named, limit) in zip(pseudonyms, counted, strict=True)
                  for part in (field_of(pseudonym), limit)]
        again = int(await self._claim(keys=keys, args=[member, now_ms, self._window_ms, first_hour, *fields]))
        return datetime.fromtimestamp(again / 1000, UTC) if again else None


def shard_of(pseudonym: str) -> int:
    """Which of an hour's `SHARDS` hashes holds an identifier's field."""
    return int(pseudonym[:2], 16) % SHARDS


def field_of(pseudonym: str) -> bytes:
    """An identifier's field in an hour's hash: 96 bits of its keyed hash, as bytes (a 12-byte name takes Redis's
    smallest allocation; two identifiers sharing one would need some 2^48 of them in a day)."""
    return bytes.fromhex(pseudonym[:24])


@dataclass(frozen=True, slots=True)
class DialogQuota:
    """`RegistrationQuota` (conversations/quota.py) for one dialog's Telegram user."""

    quota: RedisRegistrationQuota
    user: str

    async def claim(self, registration: Registration, idempotency_key: str, now: datetime) -> datetime | None:
        return await self.quota.claim(self.user, registration, idempotency_key, now)
