"""Identifiers as Redis key names: keyed hashes, never an ID number or a phone in clear.

Rate limits count per Telegram user, per ID number and per phone number, and
key names are what anyone with access to Redis sees first (`SCAN`,
`MONITOR`, a backup, a slow-log). So an identifier becomes an HMAC-SHA256
under a secret derived from the dialog encryption key: the same person
always lands on the same counter, and nobody without the key can tell whose
counter it is or confirm a guess by hashing a number themselves. Rotating
the encryption key (a new key first) starts the counters afresh, which
costs at most a day of counts.
"""

from __future__ import annotations

import hashlib
import hmac

_PURPOSE = b"regbot pseudonyms for rate limits v1"  # one key per use: never the encryption key itself


class Pseudonyms:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()

    def of(self, kind: str, value: str) -> str:
        """A stable, unguessable name for `value` (e.g. kind "id", value an ID number): 32 hex digits."""
        message = f"{kind}\0{value}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

