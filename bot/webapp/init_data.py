"""Telegram Web App launch data (initData): proof of who opened the page, checked by Telegram's rule.

core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app:
the data-check-string is every field but `hash`, sorted, as `key=value`
lines; the key is HMAC-SHA256 of the bot token keyed with "WebAppData";
`hash` must equal HMAC-SHA256 of the data-check-string under that key.
Compared in constant time, as bytes (anything the page posts, any character
at all, is refused, never an exception); launch data older than an hour is
refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

MAX_AGE_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class WebAppUser:
    id: int
    language_code: str | None


class InvalidInitData(Exception):
    """Forged, signed for another bot, too old, or malformed."""


def verify_init_data(init_data: str, bot_token: str, now: datetime, max_age: int = MAX_AGE_SECONDS) -> WebAppUser:
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    received = fields.pop("hash", "")
    if not received or not hmac.compare_digest(_signature(fields, bot_token).encode(), _utf8(received)):
        raise InvalidInitData("hash does not match")
    try:
        age = now.timestamp() - int(fields["auth_date"])
        user = json.loads(fields["user"])
        who = WebAppUser(int(user["id"]), user.get("language_code"))
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidInitData("malformed launch data") from error
    if not -60 <= age <= max_age:
        raise InvalidInitData(f"launch data is {age:.0f} s old")
    return who


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """initData as Telegram would send it for `fields` (for tests and local tools)."""
    return urlencode({**fields, "hash": _signature(fields, bot_token)})


def _signature(fields: dict[str, str], bot_token: str) -> str:
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, _utf8(check), hashlib.sha256).hexdigest()


def _utf8(text: str) -> bytes:
    """Any str as bytes, even a lone surrogate (JSON can carry "\\ud800"), which `str.encode()` refuses."""
    return text.encode("utf-8", "surrogatepass")
