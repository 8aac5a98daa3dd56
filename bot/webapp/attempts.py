"""The password form's limits: failed submissions per address, per link and per citizen.

The limits slow down whoever probes the form (made-up links, forged
launch data, password after password through one link); they must not be
a weapon against citizens. Many citizens share one IPv4 address behind a
carrier's NAT or an office's router, so a submission that succeeds is not
held against the address: each submission is counted as it comes in (so a
burst of them cannot slip past the limit together) and given back when it
is accepted. Only failures stay counted.

An IPv6 client is counted by its /64: a subscriber gets a whole /64, so
counting single addresses would give an attacker 2^64 fresh ones, while a
phone's privacy addresses change within it. An IPv4 client is counted by
its address.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from redis.asyncio import Redis

from bot.storage.keys import password_form_attempts
from bot.webapp.links import LINK_TTL_SECONDS

Scope = Literal["ip", "link", "user", "handover"]

# scope: (failed submissions allowed, window in seconds from the first); "handover": the help desk's hand-over codes
# typed by one citizen (bot/helpdesk/handover.py), counted the same way
LIMITS: dict[Scope, tuple[int, int]] = {"ip": (30, 3600), "link": (10, LINK_TTL_SECONDS), "user": (20, 3600),
                                        "handover": (5, 3600)}
IPV6_BLOCK = 64

_COUNT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
# Only while the window lasts: a DECR on an expired key would create one with no expiry.
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def address_block(address: str) -> str:
    """Whom the per-address limit counts: an IPv4 address (also one written as IPv6, "::ffff:203.0.113.7"),
    an IPv6 address's /64 ("2001:db8:1:2::/64"); anything else (no address known) as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_BLOCK), strict=False))
    return str(ip)


class Attempts:
    """The counters, in Redis so that every worker counts together."""

    def __init__(self, redis: Redis) -> None:
        self._count = redis.register_script(_COUNT)
        self._give_back = redis.register_script(_GIVE_BACK)

    def submission(self) -> Submission:
        return Submission(self)

    async def count(self, scope: Scope, who: str) -> bool:
        """Count one submission by `who`; False when it is over the limit."""
        limit, window = LIMITS[scope]
        return int(await self._count(keys=[password_form_attempts(scope, who)], args=[window])) <= limit

    async def give_back(self, scope: Scope, who: str) -> None:
        await self._give_back(keys=[password_form_attempts(scope, who)])


class Submission:
    """One submission's counts: they stay if it fails, and are given back if it is accepted."""

    def __init__(self, attempts: Attempts) -> None:
        self._attempts = attempts
        self._counted: list[tuple[Scope, str]] = []

    async def within(self, scope: Scope, who: str) -> bool:
        """Count this submission against `who`'s limit in `scope` (the address: its block); False when over it."""
        who = address_block(who) if scope == "ip" else who
        self._counted.append((scope, who))
        return await self._attempts.count(scope, who)

    async def accepted(self) -> None:
        """The submission got through (the link is spent): it does not count against anyone."""
        for scope, who in self._counted:
            await self._attempts.give_back(scope, who)
        self._counted.clear()
