"""The SMS code in a message: typed alone, or standing once in a pasted SMS."""

from __future__ import annotations

import pytest

from bot.portal.sandbox_state import SMS_TEXT
from conversations.fields.otp_code import read_otp_code


@pytest.mark.parametrize(("text", "code"), [
    ("123456", "123456"),
    (" 123 456 ", "123456"),
    ("１２３４５６", "123456"),
    (SMS_TEXT.format(code="042917"), "042917"),
    ("Ma xac thuc cua ban la 123456. Het han sau 5 phut", "123456"),
    ("Mã OTP: 123456 (hiệu lực 300 giây), hotline 1900 1234", "123456"),
    ("12345", None),
    ("1234567", None),
    ("12a456", None),
    ("Ma xac thuc cua ban la 0912345678", None),  # a phone number is no code
    ("123456 hoặc 654321", None),  # two: which?
    ("Het han sau 5 phut", None),
])
def test_the_code_is_read_only_when_it_is_unambiguous(text: str, code: str | None) -> None:
    assert read_otp_code(text) == code
