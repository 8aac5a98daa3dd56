"""Parsers for the fields of the portal's registration form.

Each keeps one rule of dichvucong.gov.vn (or of the documents behind it) and
answers `Accepted`, `Accepted` with a doubt, or `Refused` with a reason the
citizen can read. No I/O; anything time-dependent takes `today`.
"""

from conversations.fields.birth_date import parse_birth_date
from conversations.fields.email import parse_email
from conversations.fields.full_name import parse_full_name
from conversations.fields.id_number import (
    PROVINCES,
    cccd_birth_year,
    cccd_century,
    cccd_year_digits,
    parse_id_number,
    province_name,
)
from conversations.fields.normalize import normalize_digits, strip_separators
from conversations.fields.password import PASSWORD_RULE, password_problems
from conversations.fields.phone import mask_phone, national_phone, parse_phone

__all__ = [
    "PASSWORD_RULE",
    "PROVINCES",
    "cccd_birth_year",
    "cccd_century",
    "cccd_year_digits",
    "mask_phone",
    "national_phone",
    "normalize_digits",
    "parse_birth_date",
    "parse_email",
    "parse_full_name",
    "parse_id_number",
    "parse_phone",
    "password_problems",
    "province_name",
    "strip_separators",
]
