"""password_problems: the portal's password rule, one reason per unmet part."""

import pytest

from conversations.fields import PASSWORD_RULE, password_problems

TOO_SHORT = "The password must have at least {limit} characters."
TOO_LONG = "The password can have at most {limit} characters."
NO_LOWER = "The password needs a lower-case letter."
NO_UPPER = "The password needs an upper-case letter."
NO_DIGIT = "The password needs a digit."
NO_SPECIAL = "The password needs a special character such as ! @ # $ %."
INVISIBLE = "The password contains an invisible character. Please type it yourself instead of pasting it."


def msgids(password: str) -> list[str]:
    return [problem.msgid for problem in password_problems(password)]


@pytest.mark.parametrize(
    "password",
    ["Abcdef1!", "Matkhau@2026", "P@ssw0rd-with spaces", "Mật khẩu 1!", "Ab1!" * 32, "aB3~aB3~", "Ab1€Ab1€"],
)
def test_password_meeting_every_rule_has_no_problems(password: str) -> None:
    assert password_problems(password) == []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Abcde1!", [TOO_SHORT]),
        ("abcdef1!", [NO_UPPER]),
        ("ABCDEF1!", [NO_LOWER]),
        ("Abcdefg!", [NO_DIGIT]),
        ("Abcdefg1", [NO_SPECIAL]),
        ("Abcdefg1 ", [NO_SPECIAL]),  # a space is not a special character
        ("Abcdefg1\t\n", [NO_SPECIAL, INVISIBLE]),  # a line break cannot be typed in the portal's field
        ("12345678", [NO_LOWER, NO_UPPER, NO_SPECIAL]),
        ("abc", [TOO_SHORT, NO_UPPER, NO_DIGIT, NO_SPECIAL]),
        ("", [TOO_SHORT, NO_LOWER, NO_UPPER, NO_DIGIT, NO_SPECIAL]),
        ("        ", [NO_LOWER, NO_UPPER, NO_DIGIT, NO_SPECIAL]),
        ("Abcdef1!\u200b", [INVISIBLE]),
        ("Abcdef1!\x00", [INVISIBLE]),
    ],
)
def test_password_reports_one_problem_per_unmet_rule(password: str, expected: list[str]) -> None:
    assert msgids(password) == expected


def test_password_limit_parameters_name_8_and_128() -> None:
    assert password_problems("Ab1!")[0].params == {"limit": 8}
    assert password_problems("Ab1!" * 33)[0].params == {"limit": 128}


def test_password_accepts_exactly_8_and_128_characters() -> None:
    assert password_problems("Abcdef1!") == []
    assert password_problems("Ab1!" * 32) == []


@pytest.mark.parametrize(
    ("password", "expected"),
    [("Ab1!" * 33, [TOO_LONG]), ("a" * 10_240, [TOO_LONG, NO_UPPER, NO_DIGIT, NO_SPECIAL])],
)
def test_password_refuses_more_than_128_characters(password: str, expected: list[str]) -> None:
    assert msgids(password) == expected


def test_password_rule_names_every_part_of_the_rule() -> None:
    for part in ("8 to 128", "lower-case", "upper-case", "digit", "special character"):
        assert part in PASSWORD_RULE.msgid
