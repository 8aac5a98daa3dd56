"""The citizen's mobile number, where the portal sends the OTP by SMS.

The portal registers "thuê bao di động" (mobile subscribers) only, so a
landline or a foreign number cannot receive the code. We accept the ways
Vietnamese numbers are written (0912 345 678, +84 912 345 678, 84912345678,
+84 (0) 912..., with dots, dashes, any script's digits) and answer E.164.
`phonenumbers` decides the number type, but its metadata lags behind the
operators: as of 2026 it misses mobile ranges 052x, 055x, 089x and 0992, so
those are allowed explicitly (9-digit national numbers starting 52, 55, 89,
992). Distinct refusals tell the citizen what to fix: not a number, foreign,
landline, or a wrong number of digits.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from conversations.fields.normalize import normalize_digits, strip_separators
from conversations.parsing import Accepted, ParseResult, Refused
from conversations.text import _

COUNTRY_CODE = "84"
MOBILE_NATIONAL_LENGTH = 9  # digits after +84, i.e. 10 digits with the leading 0
EXTRA_MOBILE_PREFIXES = ("52", "55", "89", "992")
_LONGEST_INPUT = 40
_BRACKETS = str.maketrans("", "", "()[]（）")
_PLUSES = str.maketrans({"＋": "+", "﹢": "+"})


def parse_phone(text: str) -> ParseResult[str]:
    """Accept a Vietnamese mobile number; answer it in E.164, e.g. '+84912345678'."""
    cleaned = strip_separators(normalize_digits(text)).translate(_BRACKETS).translate(_PLUSES)
    international = cleaned.startswith("+")
    digits = cleaned.removeprefix("+")
    if not digits or not (digits.isascii() and digits.isdigit()) or len(cleaned) > _LONGEST_INPUT:
        return Refused(
            _("This is not a phone number. Please type your mobile number, for example 0912 345 678.")
        )

    if digits.startswith("00"):  # international call prefix, as in 0084...
        international, digits = True, digits[2:]
    if international:
        if not digits.startswith(COUNTRY_CODE):
            return Refused(
                _("This is not a Vietnamese phone number. The portal needs a Vietnamese mobile number.")
            )
        national = digits[len(COUNTRY_CODE) :]
    elif digits.startswith(COUNTRY_CODE) and len(digits) > MOBILE_NATIONAL_LENGTH + 1:
        national = digits[len(COUNTRY_CODE) :]  # 84912345678: +84 without the plus
    else:
        national = digits
    if national.startswith("0"):  # 0912..., or +84 (0) 912...
        national = national[1:]

    if len(national) < 2:
        return _wrong_length(national)
    try:
        number = phonenumbers.parse("+" + COUNTRY_CODE + national)
    except phonenumbers.NumberParseException:
        return _wrong_length(national)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.FIXED_LINE:
        return Refused(
            _("This is a landline number. The portal needs a mobile number that can receive the SMS code.")
        )
    if kind == PhoneNumberType.MOBILE or _in_extra_mobile_range(national):
        return Accepted(phonenumbers.format_number(number, PhoneNumberFormat.E164))
    looks_mobile = not national.startswith("2")  # landlines are 02x; every other range is mobile or service
    if kind == PhoneNumberType.UNKNOWN and looks_mobile and len(national) != MOBILE_NATIONAL_LENGTH:
        return _wrong_length(national)
    return Refused(_("This is not a Vietnamese mobile number. Please check it and type it again."))


def _in_extra_mobile_range(national: str) -> bool:
    return len(national) == MOBILE_NATIONAL_LENGTH and national.startswith(EXTRA_MOBILE_PREFIXES)


def _wrong_length(national: str) -> Refused:
    return Refused(
        _(
            "This number has {count} digits; a Vietnamese mobile number has 10 digits starting with 0, "
            "for example 0912 345 678.",
            count=len(national) + 1,
        )
    )


def national_phone(e164: str) -> str:
    """'+84821234088' -> '0821234088', the form the portal displays."""
    national = e164.removeprefix("+" + COUNTRY_CODE)
    if national == e164 or not (national.isascii() and national.isdigit()):
        raise ValueError(f"not a Vietnamese E.164 number: {e164!r}")
    return "0" + national


def mask_phone(e164: str) -> str:
    """'+84821234088' -> '082****088', as the portal shows the number it sent the OTP to."""
    national = national_phone(e164)
    return national[:3] + "****" + national[-3:]
