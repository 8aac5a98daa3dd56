"""The CMND / CCCD number: 9 digits (old CMND) or 12 digits (CCCD).

A 12-digit CCCD is structured by Circular 07/2016/TT-BCA: digits 1-3 are
the province where the birth was registered, digit 4 gives century of birth
and sex, digits 5-6 the last two digits of the birth year, digits 7-12 a
random sequence. There is no check digit, so the structure is all we can
verify. An unknown province code is only a doubt (the citizen confirms), not
a refusal: province lists change (mergers) and refusing a real card would
lock the citizen out. A birth year that is in the future, or too recent for
a citizen of 14 (the portal's minimum age), is certainly a typo.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from conversations.fields.normalize import normalize_digits, strip_separators
from conversations.parsing import Accepted, ParseResult, Refused
from conversations.text import _

CMND_LENGTH = 9
CCCD_LENGTH = 12
MINIMUM_AGE = 14

PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hoà Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hoá",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hoà",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

# Digit 4 of a CCCD: first year of the birth century, per digit.
# 0 male / 1 female born 1900-1999, 2 male / 3 female born 2000-2099.
_CENTURY_BY_DIGIT: Mapping[str, int] = MappingProxyType({"0": 1900, "1": 1900, "2": 2000, "3": 2000})


def clean_id_number(text: str) -> str:
    """The number as the portal wants it: ASCII digits, no spaces, dots or dashes."""
    return strip_separators(normalize_digits(text))


def province_name(code: str) -> str | None:
    """The province a CCCD's first three digits stand for, or None if unknown."""
    return PROVINCES.get(code)


def cccd_century(id_number: str) -> int | None:
    """First year of the birth century a CCCD's digit 4 gives (1900 or 2000).

    None for a 9-digit CMND, or when digit 4 is not 0-3.
    """
    if len(id_number) != CCCD_LENGTH or not (id_number.isascii() and id_number.isdigit()):
        return None
    return _CENTURY_BY_DIGIT.get(id_number[3])


def cccd_year_digits(id_number: str) -> str | None:
    """Digits 5-6 of a CCCD (last two digits of the birth year), or None for a CMND."""
    if cccd_century(id_number) is None:
        return None
    return id_number[4:6]


def cccd_birth_year(id_number: str) -> int | None:
    """The birth year a CCCD encodes (digit 4 and digits 5-6), or None for a CMND."""
    century = cccd_century(id_number)
    if century is None:
        return None
    return century + int(id_number[4:6])


def parse_id_number(text: str, today: date) -> ParseResult[str]:
    """Accept a 9-digit CMND or a structurally valid 12-digit CCCD."""
    number = clean_id_number(text)
    if not number:
        return Refused(_("Please type the number of your CCCD (12 digits) or CMND (9 digits)."))
    if not (number.isascii() and number.isdigit()):
        return Refused(
            _("A CCCD or CMND number has only digits (0–9). Please remove letters and other signs.")
        )
    if len(number) not in (CMND_LENGTH, CCCD_LENGTH):
        return Refused(_("This number has {count} digits; a CMND has 9 and a CCCD 12.", count=len(number)))
    if set(number) == {"0"}:
        return Refused(_("An ID number cannot be all zeros. Please check the number on your card."))
    if len(number) == CMND_LENGTH:
        return Accepted(number)
    return _check_cccd(number, today)


def _check_cccd(number: str, today: date) -> ParseResult[str]:
    birth_year = cccd_birth_year(number)
    if birth_year is None:
        return Refused(
            _(
                "Digit 4 of a CCCD number gives the century of birth and sex, so it must be "
                "0, 1, 2 or 3; yours is {digit}. Please check the number.",
                digit=number[3],
            )
        )
    if birth_year > today.year:
        return Refused(
            _(
                "Digits 4–6 of this CCCD number give the birth year {year}, which has not come yet. "
                "Please check the number.",
                year=str(birth_year),
            )
        )
    if birth_year > today.year - MINIMUM_AGE:
        return Refused(
            _(
                "Digits 4–6 of this CCCD number give the birth year {year}, but you must be at least "
                "14 years old to register. Please check the number.",
                year=str(birth_year),
            )
        )
    code = number[:3]
    if code not in PROVINCES:
        return Accepted(
            number,
            doubt=_(
                "The first three digits of this CCCD, {code}, are not a province code we know. "
                "Please check the number on your card before going on.",
                code=code,
            ),
        )
    return Accepted(number)
