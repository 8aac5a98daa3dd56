"""The webhook's signature: `X-ZEvent-Signature: mac=<hex>`, the SHA-256 of app id + raw body + timestamp + secret.

A plain hash, not an HMAC (../shared/ZALO.md); the timestamp is the one in
the body, and which secret ends the input is assumptions.py's
SIGNATURE_SECRET. The comparison is in constant time, as bytes: anyone can
send any header, and `hmac.compare_digest` raises on a str that is not ASCII.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-ZEvent-Signature"
_PREFIX = b"mac="


def mac(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


def signed(header: str, app_id: str, body: bytes, timestamp: str, secret: str) -> bool:
    """Whether `header` is the signature of this body, in time that does not depend on where they differ."""
    given = header.strip().encode("utf-8", "surrogatepass")
    given = given[len(_PREFIX):] if given[:len(_PREFIX)].lower() == _PREFIX else given
    return hmac.compare_digest(given.lower(), mac(app_id, body, timestamp, secret).encode())
