"""Telegram's launch data as the password form checks it: any bytes a page can post are refused, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from bot.webapp.init_data import InvalidInitData, sign_init_data, verify_init_data

TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SIGNED = sign_init_data({"user": json.dumps({"id": 42, "language_code": "vi"}),
                         "auth_date": str(int(NOW.timestamp()) - 5)}, TOKEN)


def test_launch_data_signed_for_this_bot_names_its_user() -> None:
    assert verify_init_data(SIGNED, TOKEN, NOW).id == 42


@pytest.mark.parametrize("init_data", [
    SIGNED.replace("hash=", "hash=é"),  # a hash that is not ASCII: compare_digest would raise on it as str
    SIGNED + quote("é"),
    SIGNED.replace("auth_date=", "auth_date=\ud800"),  # a lone surrogate, as JSON's "\ud800" gives one
    "hash=\udce9",
], ids=["non-ASCII hash", "non-ASCII hash, percent-encoded", "lone surrogate in a field", "lone surrogate hash"])
def test_launch_data_with_characters_no_signature_has_is_refused(init_data: str) -> None:
    with pytest.raises(InvalidInitData):
        verify_init_data(init_data, TOKEN, NOW)
