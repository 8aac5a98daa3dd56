"""parse_phone: Vietnamese mobile numbers only, answered in E.164."""

import pytest

from conversations.fields import mask_phone, national_phone, parse_phone
from conversations.parsing import Accepted, Refused

NOT_A_NUMBER = "This is not a phone number."
FOREIGN = "This is not a Vietnamese phone number."
LANDLINE = "This is a landline number."
WRONG_LENGTH = "This number has {count} digits;"
NOT_MOBILE = "This is not a Vietnamese mobile number."


def refusal(text: str) -> Refused:
    result = parse_phone(text)
    assert isinstance(result, Refused), result
    return result


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "(0912) 345 678",
        "+84912345678",
        "+84 912 345 678",
        "+84 (0) 912 345 678",
        "+840912345678",
        "84912345678",
        "84 912 345 678",
        "0084912345678",
        "00 84 912 345 678",
        "912345678",
        "０９１２３４５６７８",  # full-width digits
        "＋８４９１２３４５６７８",  # full-width plus too
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "0912\u00a0345\u200b678",
        "  0912345678\n",
    ],
)
def test_phone_normalises_0_84_and_plus84_forms_to_the_same_e164(text: str) -> None:
    assert parse_phone(text) == Accepted("+84912345678")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0821234088", "+84821234088"),  # VinaPhone
        ("0868123456", "+84868123456"),  # Viettel
        ("0701234567", "+84701234567"),  # MobiFone
        ("0591234567", "+84591234567"),  # Gmobile
        ("0871234567", "+84871234567"),  # iTel
        ("0341234567", "+84341234567"),  # Viettel 03x
        ("0561234567", "+84561234567"),  # Vietnamobile
    ],
)
def test_phone_accepts_mobile_numbers_phonenumbers_knows(text: str, expected: str) -> None:
    assert parse_phone(text) == Accepted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0521234567", "+84521234567"),
        ("0551234567", "+84551234567"),
        ("0891234567", "+84891234567"),
        ("0992123456", "+84992123456"),
        ("+84 52 123 4567", "+84521234567"),
        ("84551234567", "+84551234567"),
    ],
)
def test_phone_accepts_mobile_prefixes_missing_from_phonenumbers_metadata(text: str, expected: str) -> None:
    assert parse_phone(text) == Accepted(expected)


@pytest.mark.parametrize(
    "text", ["024 3123 4567", "02431234567", "+84 24 3123 4567", "028 3822 1234", "0236 3821 234"]
)
def test_phone_refuses_landline(text: str) -> None:
    assert refusal(text).reason.msgid.startswith(LANDLINE)


@pytest.mark.parametrize(
    "text", ["+1 415 555 2671", "+44 20 7946 0958", "+85512345678", "0091 98765 43210", "+0912345678"]
)
def test_phone_refuses_foreign_numbers(text: str) -> None:
    assert refusal(text).reason.msgid.startswith(FOREIGN)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("091234567", 9),
        ("09123456789", 11),
        ("+8491234567", 9),
        ("01234567890", 11),  # pre-2018 11-digit mobile numbers
        ("0", 1),
        ("09", 2),
        ("+84" + "9" * 30, 31),
    ],
)
def test_phone_refuses_wrong_length(text: str, count: int) -> None:
    reason = refusal(text).reason
    assert reason.msgid.startswith(WRONG_LENGTH)
    assert reason.params == {"count": count}


@pytest.mark.parametrize(
    "text", ["", "   ", "abc", "số điện thoại", "0912abc678", "+", "++84912345678", "😀", "1" * 10_240]
)
def test_phone_refuses_text_that_is_not_a_number(text: str) -> None:
    assert refusal(text).reason.msgid.startswith(NOT_A_NUMBER)


@pytest.mark.parametrize("text", ["1800 1234", "1900 1234", "020 123 4567", "024 123 4567"])
def test_phone_refuses_service_and_unknown_numbers_as_not_mobile(text: str) -> None:
    assert refusal(text).reason.msgid.startswith(NOT_MOBILE)


@pytest.mark.parametrize(
    ("e164", "national", "masked"),
    [
        ("+84821234088", "0821234088", "082****088"),
        ("+84912345678", "0912345678", "091****678"),
        ("+84992123456", "0992123456", "099****456"),
    ],
)
def test_phone_national_and_masked_forms_match_the_portal(e164: str, national: str, masked: str) -> None:
    assert national_phone(e164) == national
    assert mask_phone(e164) == masked


@pytest.mark.parametrize("e164", ["0912345678", "+14155552671", "+84", "+84abc"])
def test_phone_national_form_rejects_non_vietnamese_e164(e164: str) -> None:
    with pytest.raises(ValueError):
        national_phone(e164)
