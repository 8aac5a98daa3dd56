"""parse_birth_date: a real day/month/year date, aged 14+, consistent with a 12-digit CCCD."""

from datetime import date

import pytest

from conversations.fields import parse_birth_date
from conversations.parsing import Accepted, Refused

TODAY = date(2026, 5, 1)


def refusal(text: str, today: date = TODAY, id_number: str | None = None) -> Refused:
    result = parse_birth_date(text, today, id_number)
    assert isinstance(result, Refused), result
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/08/1990", date(1990, 8, 15)),
        ("5/8/1990", date(1990, 8, 5)),
        ("05/8/1990", date(1990, 8, 5)),
        ("15-08-1990", date(1990, 8, 15)),
        ("15.08.1990", date(1990, 8, 15)),
        ("  15/08/1990 \n", date(1990, 8, 15)),
        ("15 / 08 / 1990", date(1990, 8, 15)),
        ("１５/０８/１９９０", date(1990, 8, 15)),  # full-width digits
        ("１５／０８／１９９０", date(1990, 8, 15)),  # full-width slashes
        ("١٥/٠٨/١٩٩٠", date(1990, 8, 15)),  # Arabic-Indic digits
        ("15–08–1990", date(1990, 8, 15)),  # en dashes
        ("01/01/1900", date(1900, 1, 1)),
        ("31/12/1999", date(1999, 12, 31)),
    ],
)
def test_birth_date_accepts_day_month_year(text: str, expected: date) -> None:
    assert parse_birth_date(text, TODAY) == Accepted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hôm qua",
        "1990-08-15",
        "15/08",
        "15081990",
        "15/08/1990/1",
        "15 08 1990",
        "a" * 10_240,
        "1" * 10_240,
    ],
)
def test_birth_date_refuses_other_formats(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("Please write your date of birth as day/month/year")


@pytest.mark.parametrize("text", ["15/08/90", "1/1/05", "15.08.00"])
def test_birth_date_refuses_two_digit_years(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("Please write the year with all four digits")


@pytest.mark.parametrize("text", ["15/08/199", "15/08/19900", "15/08/1"])
def test_birth_date_refuses_years_of_other_lengths(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("Please write your date of birth as day/month/year")


def test_birth_date_accepts_29_february_of_a_leap_year() -> None:
    assert parse_birth_date("29/02/2000", TODAY) == Accepted(date(2000, 2, 29))
    assert parse_birth_date("29/02/1996", TODAY) == Accepted(date(1996, 2, 29))


@pytest.mark.parametrize(
    ("text", "year"), [("29/02/1900", "1900"), ("29/02/2001", "2001"), ("29/02/1999", "1999")]
)
def test_birth_date_refuses_29_february_of_a_common_year_saying_so(text: str, year: str) -> None:
    reason = refusal(text).reason
    assert reason.msgid == "{year} is not a leap year, so February {year} has only 28 days."
    assert reason.params == {"year": year}


@pytest.mark.parametrize(
    ("text", "month", "days", "day"),
    [
        ("31/04/1990", 4, 30, 31),
        ("30/02/2000", 2, 29, 30),
        ("32/01/1990", 1, 31, 32),
        ("00/05/1990", 5, 31, 0),
    ],
)
def test_birth_date_refuses_days_the_month_does_not_have(text: str, month: int, days: int, day: int) -> None:
    reason = refusal(text).reason
    assert reason.msgid == "Month {month} of {year} has {days} days, so day {day} does not exist."
    assert reason.params["month"] == month
    assert reason.params["days"] == days
    assert reason.params["day"] == day


@pytest.mark.parametrize(("text", "month"), [("15/13/1990", 13), ("15/00/1990", 0)])
def test_birth_date_refuses_months_outside_1_to_12(text: str, month: int) -> None:
    reason = refusal(text).reason
    assert reason.msgid.startswith("There is no month {month}")
    assert reason.params == {"month": month}


@pytest.mark.parametrize("text", ["02/05/2026", "01/01/2030", "31/12/9999"])
def test_birth_date_refuses_future_dates(text: str) -> None:
    assert "is in the future" in refusal(text).reason.msgid


@pytest.mark.parametrize("text", ["31/12/1899", "01/01/1000", "01/01/0000"])
def test_birth_date_refuses_years_before_1900(text: str) -> None:
    assert "1900 or later" in refusal(text).reason.msgid


def test_birth_date_accepts_the_14th_birthday_itself() -> None:
    assert parse_birth_date("01/05/2012", TODAY) == Accepted(date(2012, 5, 1))


def test_birth_date_refuses_one_day_short_of_14_naming_the_14th_birthday() -> None:
    reason = refusal("02/05/2012").reason
    assert "at least 14" in reason.msgid
    assert reason.params == {"date": date(2026, 5, 2)}


def test_birth_date_refuses_today_as_too_young_not_future() -> None:
    assert "at least 14" in refusal("01/05/2026").reason.msgid


@pytest.mark.parametrize(
    ("today", "accepted"), [(date(2026, 2, 27), False), (date(2026, 2, 28), False), (date(2026, 3, 1), True)]
)
def test_birth_date_born_29_february_turns_14_on_1_march_in_common_years(today: date, accepted: bool) -> None:
    result = parse_birth_date("29/02/2012", today)
    assert isinstance(result, Accepted) is accepted
    if isinstance(result, Refused):
        assert result.reason.params == {"date": date(2026, 3, 1)}


def test_birth_date_age_boundary_uses_exact_birthdays_not_years() -> None:
    assert isinstance(parse_birth_date("31/12/2011", date(2025, 12, 30)), Refused)
    assert parse_birth_date("31/12/2011", date(2025, 12, 31)) == Accepted(date(2011, 12, 31))


@pytest.mark.parametrize(
    ("text", "id_number"),
    [
        ("15/08/1990", "001090012345"),
        ("15/08/1990", "001190012345"),
        ("15/08/2005", "001205012345"),
        ("15/08/2005", "001305012345"),
        ("01/01/1900", "001000012345"),
        ("15/08/1990", "123456789"),  # a CMND says nothing about the birth date
        ("15/08/1990", "001590012345"),  # an invalid digit 4 is parse_id_number's business
    ],
)
def test_birth_date_agreeing_with_cccd_is_accepted(text: str, id_number: str) -> None:
    assert isinstance(parse_birth_date(text, TODAY, id_number), Accepted)


@pytest.mark.parametrize(
    ("text", "id_number", "yy", "year"),
    [
        ("15/08/1991", "001090012345", "90", "1991"),
        ("15/08/2005", "001290012345", "90", "2005"),
        ("15/08/1909", "001190012345", "90", "1909"),
    ],
)
def test_birth_date_refuses_year_disagreeing_with_cccd_digits_5_6(
    text: str, id_number: str, yy: str, year: str
) -> None:
    reason = refusal(text, id_number=id_number).reason
    assert reason.msgid.startswith("Digits 5–6 of your CCCD are {yy} but the year you typed is {year}.")
    assert reason.params == {"yy": yy, "year": year}


@pytest.mark.parametrize(
    ("text", "id_number", "today", "digit", "first", "year"),
    [
        ("15/08/2005", "001005012345", TODAY, "0", "1900", "2005"),
        ("15/08/2005", "001105012345", TODAY, "1", "1900", "2005"),
        ("15/08/1990", "001290012345", date(2200, 1, 1), "2", "2000", "1990"),
        ("15/08/1990", "001390012345", date(2200, 1, 1), "3", "2000", "1990"),
    ],
)
def test_birth_date_refuses_century_disagreeing_with_cccd_digit_4(
    text: str, id_number: str, today: date, digit: str, first: str, year: str
) -> None:
    reason = refusal(text, today=today, id_number=id_number).reason
    assert reason.msgid.startswith(
        "Digit 4 of your CCCD ({digit}) says you were born between {first} and {last}"
    )
    assert reason.params == {"digit": digit, "first": first, "last": str(int(first) + 99), "year": year}
