"""The date of birth, written day first as Vietnamese documents do.

We take dd/mm/yyyy with '/', '-' or '.' (one- or two-digit day and month),
in any script's digits. Two-digit years are refused rather than guessed:
"05" could be 1905 or 2005, and a wrong century fails the portal's check
against the population database. The date must exist, not be in the future,
not be before 1900 (the CCCD cannot encode it), and make the citizen at
least 14 on `today`, the portal's minimum age. A 12-digit CCCD encodes the
birth century (digit 4) and year (digits 5-6); when they disagree with the
typed year one of the two is a typo, and we say which digits disagree.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from conversations.fields.id_number import MINIMUM_AGE, cccd_century, cccd_year_digits
from conversations.fields.normalize import normalize_digits
from conversations.parsing import Accepted, ParseResult, Refused
from conversations.text import _

EARLIEST_YEAR = 1900
_LONGEST_INPUT = 40  # generous for "dd / mm / yyyy" with spaces; beyond this it is not a date

# Separator look-alikes from full-width and "smart" keyboards.
_SEPARATOR_TWINS = str.maketrans({"／": "/", "⁄": "/", "∕": "/", "．": "."} | dict.fromkeys("‐‑‒–—−－", "-"))
_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)", re.ASCII)


def parse_birth_date(text: str, today: date, id_number: str | None = None) -> ParseResult[date]:
    """Accept a real date of birth for a citizen aged 14 or more, consistent with a 12-digit CCCD."""
    cleaned = normalize_digits(text).translate(_SEPARATOR_TWINS).strip()
    match = _DATE.fullmatch(cleaned) if len(cleaned) <= _LONGEST_INPUT else None
    if match is None:
        return Refused(_("Please write your date of birth as day/month/year, for example 15/08/1990."))
    day, month, year_digits = int(match[1]), int(match[2]), match[3]
    if len(year_digits) == 2:
        return Refused(
            _("Please write the year with all four digits, for example 15/08/1990 rather than 15/08/90.")
        )
    if len(year_digits) != 4:
        return Refused(_("Please write your date of birth as day/month/year, for example 15/08/1990."))
    year = int(year_digits)
    if year < EARLIEST_YEAR:
        return Refused(_("Please check the year: the date of birth must be in 1900 or later."))

    born = _real_date(day, month, year)
    if isinstance(born, Refused):
        return born
    if born > today:
        return Refused(_("{date} is in the future. Please type your date of birth.", date=born))
    if age_on(born, today) < MINIMUM_AGE:
        return Refused(
            _(
                "You must be at least 14 years old to register. "
                "With this date of birth you turn 14 on {date}.",
                date=birthday_in(born, born.year + MINIMUM_AGE),
            )
        )
    if id_number is not None:
        mismatch = _disagreement_with_cccd(born, id_number)
        if mismatch is not None:
            return mismatch
    return Accepted(born)


def _real_date(day: int, month: int, year: int) -> date | Refused:
    if not 1 <= month <= 12:
        return Refused(_("There is no month {month}: the month must be between 1 and 12.", month=month))
    days = calendar.monthrange(year, month)[1]
    if month == 2 and day == 29 and days == 28:
        return Refused(_("{year} is not a leap year, so February {year} has only 28 days.", year=str(year)))
    if not 1 <= day <= days:
        return Refused(
            _(
                "Month {month} of {year} has {days} days, so day {day} does not exist.",
                month=month,
                year=str(year),
                days=days,
                day=day,
            )
        )
    return date(year, month, day)


def age_on(born: date, today: date) -> int:
    """Completed years of age on `today`; someone born 29 February ages on 1 March in other years."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def birthday_in(born: date, year: int) -> date:
    """The day `born` turns a year older in `year` (29 February becomes 1 March in common years)."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return born.replace(year=year)


def _disagreement_with_cccd(born: date, id_number: str) -> Refused | None:
    century = cccd_century(id_number)
    year_digits = cccd_year_digits(id_number)
    if century is None or year_digits is None:
        return None
    if year_digits != f"{born.year % 100:02d}":
        return Refused(
            _(
                "Digits 5–6 of your CCCD are {yy} but the year you typed is {year}. "
                "Please check the date or go back and correct the CCCD number.",
                yy=year_digits,
                year=str(born.year),
            )
        )
    if born.year // 100 * 100 != century:
        return Refused(
            _(
                "Digit 4 of your CCCD ({digit}) says you were born between {first} and {last}, "
                "but the year you typed is {year}. "
                "Please check the date or go back and correct the CCCD number.",
                digit=id_number[3],
                first=str(century),
                last=str(century + 99),
                year=str(born.year),
            )
        )
    return None
