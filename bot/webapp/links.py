"""One-time links to the password page: unguessable, bound to one dialog, 15 minutes, newest only.

A link is a 192-bit random nonce kept in Redis with the dialog it opens
and the citizen's language. Issuing a new link for a dialog kills the
previous one; using a link consumes it atomically (GETDEL), so a replayed
or double-submitted form finds nothing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.storage import DialogKey
from conversations.dialog import Language

LINK_TTL_SECONDS = 15 * 60
PASSWORD_PAGE = "/webapp/password"  # the page and its form's POST target, under WEBAPP_URL

_ISSUE = """
local old = redis.call('GET', KEYS[2])
if old then redis.call('DEL', ARGV[3] .. old) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[2])
"""


@dataclass(frozen=True, slots=True)
class Link:
    dialog: DialogKey
    language: Language


class PasswordLinks:
    PREFIX = "regbot:pwlink:"

    def __init__(self, redis: Redis, ttl: int = LINK_TTL_SECONDS) -> None:
        self._redis = redis
        self._ttl = ttl
        self._issue = redis.register_script(_ISSUE)

    async def issue(self, dialog: DialogKey, language: Language) -> str:
        nonce = secrets.token_urlsafe(24)
        record = json.dumps({"b": dialog.bot, "c": dialog.chat, "u": dialog.user, "l": language})
        keys = [self.PREFIX + nonce, dialog.password_link]
        await self._issue(keys=keys, args=[record, self._ttl, self.PREFIX, nonce])
        return nonce

    async def new_url(self, page_url: str, dialog: DialogKey, language: Language) -> str:
        """The password page at `page_url`, opened with a freshly issued link."""
        return f"{page_url}?n={await self.issue(dialog, language)}"

    async def peek(self, nonce: str) -> Link | None:
        return _link(await self._redis.get(self.PREFIX + nonce)) if _plausible(nonce) else None

    async def consume(self, nonce: str) -> Link | None:
        return _link(await self._redis.getdel(self.PREFIX + nonce)) if _plausible(nonce) else None


def _plausible(nonce: str) -> bool:
    return 16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum() and nonce.isascii()


def _link(raw: bytes | str | None) -> Link | None:
    if raw is None:
        return None
    record = json.loads(raw)
    return Link(DialogKey(record["b"], record["c"], record["u"]), record["l"])
