"""Codes and passwords hidden inside what a citizen writes to staff.

Staff never need a citizen's SMS code or portal password, yet citizens type
them in the middle of a sentence: "mã 123456", "mk: Abc@12345", "OTP la
654321". What staff get keeps the sentence and hides the secret behind
`MASK`. Citizens write with or without tone marks and on any digit keyboard,
so the rules read a folded copy of the text of the same length, and the
secrets found there are hidden at the same places in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from conversations.fields import password_problems

MASK = "******"
CODE_LENGTH = 6  # the portal's SMS code

# A number: digits in groups a keyboard or a copy-paste may separate ("123 456", "12-34-56").
_NUMBER = r"\d+(?:[ .\-/]\d+)*"
_SAID = r"\s*(?:[:=]|\b(?:la|is|moi|new)\b)?\s*[:=]?\s*"  # "mã: …", "OTP la …", "password is …"
_CODE = re.compile(r"\b(?:ma|otp|code|pin|sms)\b(?:\s+(?:otp|sms|xac\s+nhan|xac\s+thuc|cua\s+\w+))*"
                   + _SAID + rf"(?P<secret>{_NUMBER})(?!\d)")
_PASSWORD = re.compile(r"\b(?:mk|mat\s*khau|password|passwd|pass|pwd|pw)\b(?:\s+(?:moi|cua\s+\w+))*"
                       r"\s*(?P<colon>[:=])?" + _SAID + r"(?P<secret>\S+)")
_TRAILING = ".,;!?)\"'”"  # sentence punctuation after a word is not part of it


def mask_secrets(text: str, code_pending: bool = False) -> str:
    """`text` with every code and password-like word replaced by `MASK`; the same text when there is none.

    A code is a number of 4 to 8 digits after a word for it ("mã", "OTP", "code"), or, while the citizen has
    a code pending, any number of the code's length. A password is the word after a word for it ("mk",
    "mật khẩu", "password") when it has a digit or a symbol, or comes after a colon; or any word that would
    pass the portal's password rule (an email address or a link is not one).
    """
    spans = sorted(set(_secrets(text, _folded(text), code_pending)))
    shown, end = [], 0
    for start, stop in spans:
        if start < end:  # inside a secret already hidden
            continue
        shown += [text[end:start], MASK]
        end = stop
    return "".join([*shown, text[end:]])


def _secrets(text: str, folded: str, code_pending: bool) -> Iterator[tuple[int, int]]:
    for match in _CODE.finditer(folded):
        if 4 <= _digits(match["secret"]) <= 8:
            yield match.span("secret")
    for match in _PASSWORD.finditer(folded):
        start, stop = match.span("secret")
        word = text[start:stop].rstrip(_TRAILING)
        if word and (match["colon"] or any(not ch.isalpha() for ch in word)):
            yield start, start + len(word)
    if code_pending:
        for match in re.finditer(_NUMBER, folded):
            if _digits(match[0]) == CODE_LENGTH:
                yield match.span()
    for match in re.finditer(r"\S+", text):
        word = match[0].rstrip(_TRAILING)
        if ("@" in word and "." in word.split("@")[-1]) or "://" in word:
            continue  # an email address or a link: staff may need to read it
        if not password_problems(word):
            yield match.start(), match.start() + len(word)


def _folded(text: str) -> str:
    """Lower case, without tone marks, ASCII digits: one character for each character of `text`."""
    return "".join(_fold(ch) for ch in text)


def _fold(ch: str) -> str:
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base[0] if base else ch


def _digits(number: str) -> int:
    return sum(ch.isdigit() for ch in number)
