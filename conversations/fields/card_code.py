"""The QR code on the front of a chip-based CCCD card.

It holds `|`-separated fields: CCCD number, old CMND number (may be
empty), full name, birth date (ddmmyyyy), sex, address, issue date
(ddmmyyyy); newer cards add fields at the end or leave some empty. Only
the first four are looked at: sex, address and issue date are never even
split out (data minimisation), and what is kept still goes through the
same parsers as typed answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from conversations.dialog import ScannedCard
from conversations.fields.birth_date import parse_birth_date
from conversations.fields.full_name import parse_full_name
from conversations.fields.id_number import parse_id_number
from conversations.parsing import Accepted, ParseResult, Refused

_CARD_CODE = re.compile(r"(\d{12})\|(\d{9}|\d{12}|)\|([^|]+)\|(\d{8})(?:\|.*)?", re.ASCII | re.DOTALL)
_LONGEST_CODE = 1000  # a CCCD code with a long address is about 200 characters


@dataclass(frozen=True, slots=True)
class CardCode:
    """The ID, name and birth date as the code writes them (personal data: never in a repr)."""

    id_number: str = field(repr=False)
    full_name: str = field(repr=False)
    birth_date: str = field(repr=False)  # ddmmyyyy


def read_card_code(text: str) -> CardCode | None:
    """The fields the registration needs, or None when `text` is not a CCCD card's code."""
    match = _CARD_CODE.fullmatch(text.strip()) if len(text) <= _LONGEST_CODE else None
    if match is None:
        return None
    return CardCode(match[1], match[3].strip(), match[4])


def parse_card_code(code: CardCode, today: date) -> ParseResult[ScannedCard]:
    """Check what the card gave as if it had been typed: a card cannot vouch for a value our rules refuse."""
    id_number = parse_id_number(code.id_number, today)
    if isinstance(id_number, Refused):
        return id_number
    full_name = parse_full_name(code.full_name)
    if isinstance(full_name, Refused):
        return full_name
    written = f"{code.birth_date[:2]}/{code.birth_date[2:4]}/{code.birth_date[4:]}"
    birth_date = parse_birth_date(written, today, id_number.value)
    if isinstance(birth_date, Refused):
        return birth_date
    return Accepted(ScannedCard(id_number=id_number.value, full_name=full_name.value, birth_date=birth_date.value))

