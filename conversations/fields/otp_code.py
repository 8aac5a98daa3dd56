"""The SMS code in what a citizen sends at the OTP step: the code typed alone, or the whole SMS pasted.

Typed alone it may carry spaces or another keyboard's digits ("１２３ ４５６").
Pasted, the SMS ("Ma xac thuc ...: 123456. Ma co hieu luc trong 5 phut.")
has other numbers around the code, so the code is read from it only when
exactly one run of six digits stands in it. Either way the message holds
the code and must leave the chat, whether or not a code can be read.
"""

from __future__ import annotations

import re

from conversations.fields.normalize import normalize_digits

_ALONE = re.compile(r"[0-9]{6}")
_RUN = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")


def read_otp_code(text: str) -> str | None:
    """The six-digit code typed alone or standing once in a pasted SMS; None when there is none, or several."""
    digits = normalize_digits(text)
    alone = re.sub(r"\s+", "", digits)
    if _ALONE.fullmatch(alone):
        return alone
    runs = _RUN.findall(digits)  # already normalised
    return runs[0] if len(runs) == 1 else None


def six_digit_runs(text: str) -> list[str]:
    """Every run of exactly six digits (any keyboard's) in `text`: each may be a code."""
    return _RUN.findall(normalize_digits(text))
