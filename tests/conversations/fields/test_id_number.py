"""parse_id_number: 9-digit CMND or 12-digit CCCD structured per Circular 07/2016/TT-BCA."""

from datetime import date

import pytest

from conversations.fields import (
    PROVINCES,
    cccd_birth_year,
    cccd_century,
    cccd_year_digits,
    parse_id_number,
    province_name,
)
from conversations.parsing import Accepted, Refused

TODAY = date(2026, 5, 1)


def refusal(text: str, today: date = TODAY) -> Refused:
    result = parse_id_number(text, today)
    assert isinstance(result, Refused), result
    return result


def test_province_table_has_the_63_provinces_of_the_circular() -> None:
    assert len(PROVINCES) == 63
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCES)
    assert PROVINCES["001"] == "Hà Nội"
    assert PROVINCES["079"] == "Hồ Chí Minh"
    assert PROVINCES["096"] == "Cà Mau"
    assert province_name("048") == "Đà Nẵng"
    assert province_name("003") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("001090012345", "001090012345"),  # Hà Nội, male, 1990
        ("079195012345", "079195012345"),  # Hồ Chí Minh, female, 1995
        ("096205012345", "096205012345"),  # Cà Mau, male, 2005
        ("001312012345", "001312012345"),  # female born 2012: 14 in 2026
        ("001000012345", "001000012345"),  # born 1900
        ("001 090 012 345", "001090012345"),
        ("001.090.012.345", "001090012345"),
        ("001-090-012-345", "001090012345"),
        ("  001090012345\n", "001090012345"),
        ("001\u00a0090\u200b012345", "001090012345"),
        ("００１０９００１２３４５", "001090012345"),  # full-width digits
        ("٠٠١٠٩٠٠١٢٣٤٥", "001090012345"),  # Arabic-Indic digits
        ("123456789", "123456789"),  # CMND
        ("012 345 678", "012345678"),
    ],
)
def test_id_number_accepts_cmnd_and_valid_cccd(text: str, expected: str) -> None:
    assert parse_id_number(text, TODAY) == Accepted(expected)


@pytest.mark.parametrize("text", ["", "   ", "\u200b"])
def test_id_number_refuses_empty_input(text: str) -> None:
    assert "Please type the number" in refusal(text).reason.msgid


@pytest.mark.parametrize(
    "text", ["00109001234a", "CCCD 001090012345", "0010900123😀", "12345678O", "+84912345678"]
)
def test_id_number_refuses_non_digits(text: str) -> None:
    assert "only digits" in refusal(text).reason.msgid


@pytest.mark.parametrize(("text", "count"), [("12345678", 8), ("1234567890", 10), ("1234567890123", 13)])
def test_id_number_refuses_wrong_length_naming_the_count(text: str, count: int) -> None:
    reason = refusal(text).reason
    assert reason.msgid == "This number has {count} digits; a CMND has 9 and a CCCD 12."
    assert reason.params == {"count": count}


def test_id_number_refuses_10_kb_of_digits_without_trouble() -> None:
    reason = refusal("1" * 10_000).reason
    assert reason.params == {"count": 10_000}


def test_id_number_refuses_10_kb_of_letters_as_non_digits() -> None:
    assert "only digits" in refusal("x" * 10_000).reason.msgid


@pytest.mark.parametrize("text", ["000000000", "000 000 000 000"])
def test_id_number_refuses_all_zeros(text: str) -> None:
    assert "all zeros" in refusal(text).reason.msgid


@pytest.mark.parametrize("digit", ["4", "5", "6", "7", "8", "9"])
def test_cccd_refuses_digit_4_outside_0_to_3(digit: str) -> None:
    reason = refusal(f"001{digit}90012345").reason
    assert reason.msgid.startswith("Digit 4 of a CCCD number")
    assert reason.params == {"digit": digit}


@pytest.mark.parametrize(("text", "year"), [("001227012345", "2027"), ("001399012345", "2099")])
def test_cccd_refuses_birth_year_in_the_future(text: str, year: str) -> None:
    reason = refusal(text).reason
    assert "has not come yet" in reason.msgid
    assert reason.params == {"year": year}


@pytest.mark.parametrize(("text", "year"), [("001213012345", "2013"), ("001326012345", "2026")])
def test_cccd_refuses_birth_year_too_recent_for_age_14(text: str, year: str) -> None:
    reason = refusal(text).reason
    assert "at least 14" in reason.msgid
    assert reason.params == {"year": year}


def test_cccd_birth_year_limit_moves_with_today() -> None:
    assert isinstance(parse_id_number("001213012345", date(2027, 1, 1)), Accepted)
    assert isinstance(parse_id_number("001213012345", date(2026, 12, 31)), Refused)


@pytest.mark.parametrize("code", ["000", "003", "005", "097", "099", "100", "999"])
def test_cccd_with_unknown_province_code_is_accepted_with_a_doubt(code: str) -> None:
    result = parse_id_number(f"{code}090012345", TODAY)
    assert isinstance(result, Accepted)
    assert result.value == f"{code}090012345"
    assert result.doubt is not None
    assert "province code" in result.doubt.msgid
    assert result.doubt.params == {"code": code}


@pytest.mark.parametrize("code", sorted(PROVINCES))
def test_cccd_with_every_known_province_code_has_no_doubt(code: str) -> None:
    assert parse_id_number(f"{code}090012345", TODAY) == Accepted(f"{code}090012345")


def test_cccd_refusals_win_over_an_unknown_province_doubt() -> None:
    assert isinstance(parse_id_number("999590012345", TODAY), Refused)


@pytest.mark.parametrize(
    ("number", "century", "year_digits", "year"),
    [
        ("001090012345", 1900, "90", 1990),
        ("001190012345", 1900, "90", 1990),
        ("001205012345", 2000, "05", 2005),
        ("001305012345", 2000, "05", 2005),
        ("001000012345", 1900, "00", 1900),
        ("123456789", None, None, None),
        ("001590012345", None, None, None),
        ("00109001234", None, None, None),
        ("00109001234x", None, None, None),
    ],
)
def test_cccd_helpers_decode_century_and_birth_year(
    number: str, century: int | None, year_digits: str | None, year: int | None
) -> None:
    assert cccd_century(number) == century
    assert cccd_year_digits(number) == year_digits
    assert cccd_birth_year(number) == year
