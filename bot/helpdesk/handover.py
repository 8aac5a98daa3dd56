"""Hand-over codes: an assisted registration opened on a channel with no deep link (Zalo), by typing a short code.

Telegram opens a prepared registration with `/start <token>`; a Zalo OA has
no start parameter. So, when Zalo is on, the staff member also gets a code
of 8 characters from the pairing code's alphabet (no 0/O, 1/I/L), shown as
"K7M2-Q9XD", with at least one letter and one digit so that no word, name or
number a citizen answers with is taken for one. The code, by its keyed
hash, names the link in Redis for the link's TTL; typing it, with or
without the dash, in any case, consumes it and adopts the dialog as the
link would: the same link, spent once, killed by a newer one. The code's
record holds the link's name (its keyed hash), never its token, so
whoever can read Redis cannot open the link from it. Guessing is what it
must withstand: 31^8 codes, the citizen's message rate, and at most
`attempts.LIMITS["handover"]` wrong codes an hour per citizen, counted as
the password form counts its failures.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from redis.asyncio import Redis

from bot.core.pseudonyms import Pseudonyms
from bot.storage.keys import ASSIST_CODES
from conversations.pairing import CODE_ALPHABET

CODE_LENGTH = 8
_LETTERS = "".join(char for char in CODE_ALPHABET if char.isalpha())
_DIGITS = "".join(char for char in CODE_ALPHABET if char.isdigit())
_SHAPE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-?[{CODE_ALPHABET}]{{4}}$")


def new_code() -> str:
    """8 characters of the alphabet, at least one letter and one digit (re-drawn otherwise)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(char in _LETTERS for char in code) and any(char in _DIGITS for char in code):
            return code


def shown(code: str) -> str:
    """As staff read it out: "K7M2-Q9XD"."""
    return f"{code[:4]}-{code[4:]}"


def typed_code(text: str) -> str | None:
    """A hand-over code as a citizen types it (dash or not, any case, full-width too), or None for anything else."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not _SHAPE.match(folded):
        return None
    code = folded.replace("-", "")
    if not (any(char in _LETTERS for char in code) and any(char in _DIGITS for char in code)):
        return None
    return code


class HandoverCodes:
    def __init__(self, redis: Redis, pseudonyms: Pseudonyms, ttl: int) -> None:
        """`ttl`: the link's (ASSIST_LINK_TTL), so the code lives exactly as long."""
        self._redis = redis
        self._pseudonyms = pseudonyms
        self._ttl = ttl

    async def issue(self, link_name: str) -> str:
        """A new code standing for the link named `link_name` (`OneTimeLinks.name`)."""
        code = new_code()
        await self._redis.set(self._key(code), link_name, ex=self._ttl)
        return code

    async def consume(self, code: str) -> str | None:
        """The link's name, once; None for a code never issued, spent or expired."""
        name = await self._redis.getdel(self._key(code))
        return name.decode() if isinstance(name, bytes) else name

    def _key(self, code: str) -> str:
        return ASSIST_CODES + self._pseudonyms.of("handover", code)
