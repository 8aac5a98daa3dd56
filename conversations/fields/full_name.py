"""The citizen's full name, as the portal and the population database spell it.

The portal compares the name with the national population database, which
holds names in the Vietnamese alphabet (with f, j, w, z for minority names)
with tone marks, plus spaces, hyphens and apostrophes ("H'Hen Niê"). So we
NFC-normalise (Telegram clients may send decomposed "Nguyễn"), collapse
whitespace, and refuse anything else naming the first offending character,
but describe invisible characters by code point rather than echo them. A
typographic apostrophe (’, inserted by "smart punctuation" keyboards) becomes
the ASCII one. A name typed all in lower or upper case is title-cased per
word, as the portal shows it ("Nguyễn Văn A"); mixed casing is kept.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise

from conversations.fields.normalize import code_point, is_invisible
from conversations.parsing import Accepted, ParseResult, Refused
from conversations.text import _

MIN_LENGTH = 2
MAX_LENGTH = 100

_BASE_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VOWELS = "aăâeêioôơuưy"
# Grave (huyền), acute (sắc), tilde (ngã), hook above (hỏi), dot below (nặng).
_TONE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def _vietnamese_letters() -> frozenset[str]:
    lower = set(_BASE_LETTERS)
    lower.update(unicodedata.normalize("NFC", vowel + mark) for vowel in _VOWELS for mark in _TONE_MARKS)
    return frozenset(lower | {letter.upper() for letter in lower})


LETTERS = _vietnamese_letters()
APOSTROPHES = frozenset("'\u2019")
HYPHEN = "-"
_JOINERS = APOSTROPHES | {HYPHEN}


def parse_full_name(text: str) -> ParseResult[str]:
    """Accept a Vietnamese full name; return it NFC, single-spaced, title-cased if typed in one case."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        return Refused(_("Please type your full name as it is written on your ID card."))
    if len(name) > MAX_LENGTH:
        return Refused(
            _("This name is too long: a full name has at most {limit} characters.", limit=MAX_LENGTH)
        )
    problem = _first_bad_character(name)
    if problem is not None:
        return problem
    if not any(ch in LETTERS for ch in name):
        return Refused(_("A name must contain letters."))
    if any(not _joiners_well_placed(word) for word in name.split(" ")):
        return Refused(
            _(
                "A hyphen or apostrophe must stand between two letters, as in “H'Hen” or “Lê-Na”, "
                "not at the start or end of a word or twice in a row."
            )
        )
    if len(name) < MIN_LENGTH:
        return Refused(
            _("This name is too short: a full name has at least {limit} characters.", limit=MIN_LENGTH)
        )
    name = "".join("'" if ch in APOSTROPHES else ch for ch in name)
    if name.islower() or name.isupper():
        name = name.title()
    return Accepted(name)


def _first_bad_character(name: str) -> Refused | None:
    for index, ch in enumerate(name):
        if ch in LETTERS or ch in _JOINERS or ch == " ":
            continue
        if unicodedata.combining(ch) or unicodedata.category(ch).startswith("M"):
            before = name[index - 1] if index else ""
            if before in LETTERS:
                return Refused(
                    _(
                        "The accent after “{letter}” does not belong on that letter. "
                        "Please retype the name with a Vietnamese keyboard.",
                        letter=before,
                    )
                )
            return Refused(
                _(
                    "This name has an accent that is not on a letter. "
                    "Please retype the name with a Vietnamese keyboard."
                )
            )
        if ch.isdigit():
            return Refused(_("A name must not contain digits."))
        if is_invisible(ch):
            return Refused(
                _(
                    "This name contains an invisible character ({code_point}). "
                    "Please type the name yourself instead of pasting it.",
                    code_point=code_point(ch),
                )
            )
        return Refused(
            _(
                "A name cannot contain “{character}”. Use only letters, spaces, hyphens and apostrophes.",
                character=ch,
            )
        )
    return None


def _joiners_well_placed(word: str) -> bool:
    if word[0] in _JOINERS or word[-1] in _JOINERS:
        return False
    return not any(a in _JOINERS and b in _JOINERS for a, b in pairwise(word))
