"""parse_email: syntax only (no DNS), refusals in our own localisable words."""

import pytest

from conversations.fields import parse_email
from conversations.parsing import Accepted, Refused


def refusal(text: str) -> Refused:
    result = parse_email(text)
    assert isinstance(result, Refused), result
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nguyenvana@gmail.com", "nguyenvana@gmail.com"),
        ("  nguyenvana@gmail.com \n", "nguyenvana@gmail.com"),
        ("Nguyen.Van.A@Gmail.COM", "Nguyen.Van.A@gmail.com"),  # domain lower-cased, local part kept
        ("a+bot@yahoo.com.vn", "a+bot@yahoo.com.vn"),
        ("tran_thi-b@dichvucong.gov.vn", "tran_thi-b@dichvucong.gov.vn"),
    ],
)
def test_email_accepts_and_normalises(text: str, expected: str) -> None:
    assert parse_email(text) == Accepted(expected)


def test_email_accepts_exactly_254_characters() -> None:
    address = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 58]) + ".vn"
    assert len(address) == 254
    assert parse_email(address) == Accepted(address)


@pytest.mark.parametrize("text", ["", "  "])
def test_email_refuses_empty_input(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("Please type your email address")


@pytest.mark.parametrize("text", ["a" * 255, "a" * 64 + "@" + "b" * 200 + ".com", "x" * 10_240])
def test_email_refuses_more_than_254_characters(text: str) -> None:
    reason = refusal(text).reason
    assert reason.msgid == "An email address has at most {limit} characters."
    assert reason.params == {"limit": 254}


@pytest.mark.parametrize("text", ["nguyenvana", "nguyenvana.gmail.com", "nguyenvana＠gmail.com"])
def test_email_refuses_missing_at_sign(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("An email address needs an @ sign")


@pytest.mark.parametrize("text", ["a@@gmail.com", "a@b@gmail.com"])
def test_email_refuses_two_at_signs(text: str) -> None:
    assert refusal(text).reason.msgid == "An email address has only one @ sign."


@pytest.mark.parametrize("text", ["nguyen van a@gmail.com", "a@gmail .com", "a@gmail\u00a0.com"])
def test_email_refuses_spaces(text: str) -> None:
    assert refusal(text).reason.msgid == "An email address cannot contain spaces."


@pytest.mark.parametrize("text", ["nguyễnvăna@gmail.com", "a@gmáil.com", "đức@gmail.com", "a😀@gmail.com"])
def test_email_refuses_accented_letters(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("An email address cannot contain accented letters.")


@pytest.mark.parametrize(
    "text",
    ["a@", "a@gmail", "a@localhost", "a@-gmail.com", "a@gmail..com", "a@b.test", "a@gmail.c_m", "a@.com"],
)
def test_email_refuses_bad_domain(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("The part after the @ sign is not a valid domain.")


@pytest.mark.parametrize(
    "text",
    ["@gmail.com", ".a@gmail.com", "a.@gmail.com", "a..b@gmail.com", 'a"b@gmail.com', "a(b)@gmail.com"],
)
def test_email_refuses_bad_local_part(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("The part before the @ sign is not valid.")


def test_email_never_passes_email_validator_english_through() -> None:
    known = {
        "Please type your email address, for example nguyenvana@gmail.com.",
        "An email address has at most {limit} characters.",
        "An email address needs an @ sign, as in nguyenvana@gmail.com.",
        "An email address has only one @ sign.",
        "An email address cannot contain spaces.",
        "An email address cannot contain accented letters. "
        "Please switch off the Vietnamese keyboard and type it again.",
        "The part after the @ sign is not a valid domain. It should look like gmail.com.",
        "The part before the @ sign is not valid. Please check the address and type it again.",
    }
    for text in [
        "",
        "a",
        "a@",
        "@",
        "a@b",
        ".@.",
        "a@b.c",
        "a\x00@gmail.com",
        "a@gmail.com\x00",
        "<a>@x.com",
    ]:
        result = parse_email(text)
        if isinstance(result, Refused):
            assert result.reason.msgid in known, text
