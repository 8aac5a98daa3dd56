"""Registrations started per day, per Telegram user, per ID number and per phone: counted in Redis.

The review step asks this quota (the `conversations.quota` port) before it
submits to the portal. Each counted identifier has a counter of the
registrations it started in the last 24 hours (rolling); a registration is
a keyed hash of its idempotency key, so a retried submit of the same form
is found and not counted again. One Lua script checks every counter and
adds to all of them only when each has room, so two workers cannot both
take the last place. The identifiers in key names are keyed hashes
(`bot.core.pseudonyms`): Redis never holds an ID number or phone in clear.

A counter is a string of 12-byte entries, one per registration, oldest
first: when it started (epoch seconds, 4 bytes big-endian) and 8 bytes of
the registration's keyed hash. Every citizen who submits has three, for a
day, so their size counts (issue 18): with one entry a counter takes 128
bytes of Redis memory, its key's name included, where the sorted set it
replaces took 168. A sorted set
left by an earlier release (scored by epoch ms, named by the 32 hex digits
of the same hash) is read as its entries and rewritten in this form the
first time it counts a registration.

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
from bot.storage.keys import registration_quota
from conversations.portal import Registration

DAY = timedelta(days=1)

# KEYS: the counters. ARGV: the registration (8 bytes), now (ms), window (ms), then one limit per key.
# → 0: counted (or counted before); else the time (ms) from which one may be started again.
_CLAIM = """
local member, now, window = ARGV[1], math.floor(tonumber(ARGV[2]) / 1000), math.floor(tonumber(ARGV[3]) / 1000)
local function packed(hex)
  return (string.gsub(string.sub(hex, 1, 16), '..', function(pair) return string.char(tonumber(pair, 16)) end))
end
local function entries(key)
  local found = {}
  if redis.call('TYPE', key).ok == 'zset' then
    local old = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    for i = 1, #old, 2 do
      found[#found + 1] = {math.floor(tonumber(old[i + 1]) / 1000), packed(old[i])}
    end
  else
    local value = redis.call('GET', key) or ''
    for at = 1, #value - 11, 12 do
      found[#found + 1] = {struct.unpack('>I4', value, at), string.sub(value, at + 4, at + 11)}
    end
  end
  local live = {}
  for _, entry in ipairs(found) do
    if entry[1] > now - window then live[#live + 1] = entry end
  end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  return live
end
local counters, counted, again = {}, {}, 0
for i, key in ipairs(KEYS) do
  counters[i] = entries(key)
  for _, entry in ipairs(counters[i]) do
    if entry[2] == member then counted[i] = true end
  end
  local limit = tonumber(ARGV[3 + i])
  if not counted[i] and #counters[i] >= limit then
    again = math.max(again, counters[i][#counters[i] - limit + 1][1] + window)
  end
end
if again > 0 then
  return again * 1000
end
for i, key in ipairs(KEYS) do
  if not counted[i] then counters[i][#counters[i] + 1] = {now, member} end
  local value = {}
  for _, entry in ipairs(counters[i]) do value[#value + 1] = struct.pack('>I4', entry[1]) .. entry[2] end
  redis.call('SET', key, table.concat(value), 'PX', ARGV[3])
end
return 0
"""


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
        keys = [registration_quota(kind, self._pseudonyms.of(kind, value)) for kind, value, _limit in counted]
        member = bytes.fromhex(self._pseudonyms.of("registration", idempotency_key)[:16])
        now_ms = int(now.timestamp() * 1000)
        again = int(await self._claim(keys=keys, args=[member, now_ms, self._window_ms,
                                                        *(limit for *_named, limit in counted)]))
        return datetime.fromtimestamp(again / 1000, UTC) if again else None


@dataclass(frozen=True, slots=True)
class DialogQuota:
    """`RegistrationQuota` (conversations/quota.py) for one dialog's Telegram user."""

    quota: RedisRegistrationQuota
    user: str

    async def claim(self, registration: Registration, idempotency_key: str, now: datetime) -> datetime | None:
        return await self.quota.claim(self.user, registration, idempotency_key, now)
