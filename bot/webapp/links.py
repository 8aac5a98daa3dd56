"""One-time links: unguessable, bound to one dialog, short-lived, newest only.

A link is a 128-bit random nonce kept in Redis with the dialog it opens
and a language (as "bot chat user language", the chat left out when it
is the user's private chat: a few bytes per active dialog count, see the
README's Performance section). Issuing a new link for a dialog kills the previous one;
using a link consumes it atomically (GETDEL), so a replayed or
double-submitted one finds nothing. The password page uses them (15
minutes), and so does the help desk's hand-over of an assisted
registration to the citizen's phone.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import cast

from redis.asyncio import Redis

from bot.core.pseudonyms import Pseudonyms
from bot.storage import DialogKey
from bot.storage.keys import PASSWORD_LINKS
from bot.storage.lua_script import Commands
from conversations.dialog import Language

LINK_TTL_SECONDS = 15 * 60
PASSWORD_PAGE = "/webapp/password"  # the page and its form's POST target, under WEBAPP_URL


@dataclass(frozen=True, slots=True)
class Link:
    dialog: DialogKey
    language: Language


class OneTimeLinks:
    def __init__(
        self, redis: Redis, prefix: str, newest: Callable[[DialogKey], str], ttl: int, pseudonyms: Pseudonyms,
    ) -> None:
        """`pseudonyms`: names a nonce in Redis by a keyed hash, so that whoever can list the keys (SCAN, a
        backup, a slow-log) cannot open the link."""
        self.PREFIX = prefix
        self._redis = redis
        self._newest = newest  # the key holding a dialog's newest link (its name, hashed)
        self._ttl = ttl
        self._pseudonyms = pseudonyms
        self._commands = Commands(redis)  # `issue`'s writes, the lean way where the client has one pool

    def name(self, nonce: str) -> str:
        """How `nonce` is named in Redis: a keyed hash, never the nonce itself."""
        return self._pseudonyms.of("link", nonce)

    async def issue(self, dialog: DialogKey, language: Language) -> str:
        nonce = secrets.token_urlsafe(16)
        # "bot user language" in a private chat (the chat is the user): 24 bytes take Redis's 48-byte allocation
        # for a short string with its header, where the chat too (36) took 64, for every dialog at the password step
        record = " ".join((dialog.bot, dialog.user, language) if dialog.chat == dialog.user
                          else (dialog.bot, dialog.chat, dialog.user, language))
        name = self.name(nonce)
        # The record (found by the nonce) and the dialog's pointer to its newest link lie in different Redis
        # Cluster slots, so no script holds both: the new record is written, the pointer swapped to it, and
        # the record it pointed to deleted. Two issues at once each delete the one they swapped out, so only
        # the last one's link is left.
        if self._commands.pooled:
            written, old = await self._commands(("SET", self.PREFIX + name, record, "EX", self._ttl),
                                                ("SET", self._newest(dialog), name, "EX", self._ttl, "GET"))
            for reply in (written, old):
                if isinstance(reply, Exception):
                    raise reply
        else:  # a cluster's pipeline sends each command to its key's node
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(self.PREFIX + name, record, ex=self._ttl)
                pipe.set(self._newest(dialog), name, ex=self._ttl, get=True)
                _written, old = await pipe.execute()
        if old and old != name.encode():  # not this very link, swapped in by a try that was retried
            await self._redis.delete(self.PREFIX + old.decode())
        return nonce

    async def new_url(self, page_url: str, dialog: DialogKey, language: Language) -> str:
        """The password page at `page_url`, opened with a freshly issued link."""
        return f"{page_url}?n={await self.issue(dialog, language)}"

    async def peek(self, nonce: str) -> Link | None:
        if not plausible(nonce):
            return None
        # A link issued before nonces were hashed is named by itself, for one link TTL after the upgrade.
        return _link(await self._redis.get(self.PREFIX + self.name(nonce))
                     or await self._redis.get(self.PREFIX + nonce))

    async def consume(self, nonce: str) -> Link | None:
        if not plausible(nonce):
            return None
        return _link(await self._redis.getdel(self.PREFIX + self.name(nonce))
                     or await self._redis.getdel(self.PREFIX + nonce))


    async def consume_named(self, name: str) -> Link | None:
        """The link `name(nonce)` names, consumed: for what stands for a link without holding its nonce (the help
        desk's hand-over codes)."""
        return _link(await self._redis.getdel(self.PREFIX + name))


class PasswordLinks(OneTimeLinks):
    PREFIX = PASSWORD_LINKS

    def __init__(self, redis: Redis, pseudonyms: Pseudonyms, ttl: int = LINK_TTL_SECONDS) -> None:
        super().__init__(redis, PASSWORD_LINKS, attrgetter("password_link"), ttl, pseudonyms)


def plausible(nonce: str) -> bool:
    """Shaped like a nonce we issue: checked before touching Redis."""
    return 16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum() and nonce.isascii()


def _link(raw: bytes | str | None) -> Link | None:
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    if text.startswith("{"):  # issued before the compact form, within the last link TTL
        record = json.loads(text)
        return Link(DialogKey(record["b"], record["c"], record["u"]), record["l"])
    parts = text.split(" ")
    bot, chat, user, language = parts if len(parts) == 4 else (parts[0], parts[1], *parts[1:])
    return Link(DialogKey(bot, chat, user), cast(Language, language))
