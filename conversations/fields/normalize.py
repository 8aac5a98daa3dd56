"""Undo the ways a phone keyboard or a copy-paste disguises digits.

Citizens type ID and phone numbers on whatever keyboard they have: a
full-width IME gives '１２３', an Arabic one '١٢٣', and numbers copied from
a bank app or a PDF arrive with non-breaking spaces, zero-width joiners,
dots or en dashes between the groups. The portal only takes ASCII digits,
so we turn every Unicode decimal digit into its ASCII twin and drop the
grouping characters before any rule looks at the number.
"""

from __future__ import annotations

import re
import unicodedata

# Dots people use to group digits: ASCII, middle dot, full-width, ideographic.
_DOTS = frozenset(".·・．。")
# Dash-like characters that are not in category Pd.
_EXTRA_DASHES = frozenset("\u2212\u2043\ufe63")  # minus sign, hyphen bullet, small hyphen-minus
# Spaces, line/paragraph separators, invisible format characters
# (zero-width space/joiners, word joiner, BOM, soft hyphen) and dashes.
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Pd"})


def normalize_digits(text: str) -> str:
    """Replace every Unicode decimal digit (e.g. '１', '١', '৩') with its ASCII digit."""
    if text.isascii():  # most answers: nothing to replace, and no character-by-character look-up (issue 18)
        return text
    return "".join(_ascii_digit(ch) for ch in text)


def _ascii_digit(ch: str) -> str:
    value = unicodedata.decimal(ch, None)
    return ch if value is None else str(value)


def is_separator(ch: str) -> bool:
    """True for a space, dot, dash or invisible character someone may put between digit groups."""
    return (
        ch.isspace()
        or ch in _DOTS
        or ch in _EXTRA_DASHES
        or unicodedata.category(ch) in _SEPARATOR_CATEGORIES
    )


def strip_separators(text: str) -> str:
    """Drop spaces (incl. NBSP), dots, dashes (incl. Unicode dashes) and zero-width characters."""
    if text.isascii():
        return text.translate(_ASCII_SEPARATORS)
    return "".join(ch for ch in text if not is_separator(ch))


# The ASCII characters `is_separator` drops, as a table for `str.translate`: the same answer, at C speed.
_ASCII_SEPARATORS = {code: None for code in range(128) if is_separator(chr(code))}


def is_invisible(ch: str) -> bool:
    """True for control, format, private-use, surrogate and unassigned characters.

    Such characters must be described (by code point), never echoed back.
    """
    return unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def code_point(ch: str) -> str:
    """Name a character the way a citizen could report it: 'U+200B'."""
    return f"U+{ord(ch):04X}"


def fold(text: str) -> str:
    """Lower-case, without tone marks or quotes: how people type on a phone without a Vietnamese keyboard."""
    if text.isascii():  # no tone marks to take off: decomposing it would give it back unchanged
        bare = text
    else:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _QUOTES_AND_SPACES.sub(" ", bare).strip().casefold()


_QUOTES_AND_SPACES = re.compile(r"[\s\"'“”.!?]+")
