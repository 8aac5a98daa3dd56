"""Registrations started per day, per Telegram user, per ID number and per phone: counted in Redis.

The review step asks this quota (the `conversations.quota` port) before it
submits to the portal. Each counted identifier has a sorted set of the
registrations it started in the last 24 hours (rolling), scored by time;
a registration is a keyed hash of its idempotency key, so a retried submit
of the same form is found and not counted again. One Lua script checks
every set and adds to all of them only when each has room, so two workers
cannot both take the last place. The identifiers in key names are keyed
hashes (`bot.core.pseudonyms`): Redis never holds an ID number or phone in clear.

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

# KEYS: the sorted sets to count in. ARGV: member, now (ms), window (ms), then one limit per key.
# → 0: counted (or counted before); else the time (ms) from which one may be started again.
_CLAIM = """
local member, now, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local again = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if not redis.call('ZSCORE', key, member) then
    local limit = tonumber(ARGV[3 + i])
    local count = redis.call('ZCARD', key)
    if count >= limit then
      local freed = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      again = math.max(again, tonumber(freed[2]) + window)
    end
  end
end
if again > 0 then
  return again
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'NX', now, member)
  redis.call('PEXPIRE', key, window)
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
        member = self._pseudonyms.of("registration", idempotency_key)
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
