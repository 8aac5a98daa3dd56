"""Dialog documents no release of the bot writes: to prove what the bot does with one it finds in Redis."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.storage.sealing import Sealer
from conversations.dialog import SCHEMA_VERSION

SEALED = b"\n\x01"  # bot/storage/codec.py: the readable JSON, then the sealed personal data
PERSONAL = b"regbot dialog personal data"  # the codec's purpose for personal data


def invalid_values(keys: Sequence[bytes], personal: dict[str, Any], step: str = "email") -> bytes:
    """A document sealed with a configured key, so it opens, whose personal data fails validation (as a
    buggy release or a hand edit might leave it): pydantic's error would quote `personal`'s values."""
    public = json.dumps({"schema_version": SCHEMA_VERSION, "step": step, "language": "vi"}).encode()
    return public + SEALED + Sealer(keys, PERSONAL).seal(json.dumps(personal, ensure_ascii=False).encode())
