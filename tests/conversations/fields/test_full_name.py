"""parse_full_name: Vietnamese alphabet with tone marks, spaces, hyphens, apostrophes."""

import unicodedata

import pytest

from conversations.fields import parse_full_name
from conversations.parsing import Accepted, Refused


def refusal(text: str) -> Refused:
    result = parse_full_name(text)
    assert isinstance(result, Refused), result
    return result


NGUYEN_NFD = unicodedata.normalize("NFD", "Nguyễn Văn Đức")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("Trần Thị Thu Hương", "Trần Thị Thu Hương"),
        ("  Lê   Văn\tTám \n", "Lê Văn Tám"),
        ("Lê\u00a0Na", "Lê Na"),  # no-break space collapses too
        ("Lê\u3000Na", "Lê Na"),
        (NGUYEN_NFD, "Nguyễn Văn Đức"),  # decomposed input composes under NFC
        ("H'Hen Niê", "H'Hen Niê"),
        ("H’Hen Niê", "H'Hen Niê"),  # typographic apostrophe from smart punctuation
        ("Lê-Nguyễn Bảo Ngọc", "Lê-Nguyễn Bảo Ngọc"),
        ("Y Ngông Niê Kdăm", "Y Ngông Niê Kdăm"),
        ("Ksor Wang Zơ Fin Jin", "Ksor Wang Zơ Fin Jin"),  # f, j, w, z
        ("Phạm Ỷ Lan", "Phạm Ỷ Lan"),
        ("Mc Donald", "Mc Donald"),  # mixed casing is the citizen's choice
        ("nguyễn văn a", "Nguyễn Văn A"),  # all lower case -> title case
        ("NGUYỄN VĂN A", "Nguyễn Văn A"),  # all upper case -> title case
        ("đặng thị ánh", "Đặng Thị Ánh"),
        ("h'hen niê", "H'Hen Niê"),
        ("LÊ-NGUYỄN NA", "Lê-Nguyễn Na"),
        ("An", "An"),
        ("x" * 100, "X" + "x" * 99),
    ],
)
def test_full_name_accepts_and_normalises(text: str, expected: str) -> None:
    assert parse_full_name(text) == Accepted(expected)


def test_full_name_accepts_every_vowel_with_every_tone_mark() -> None:
    vowels = "aăâeêioôơuưy"
    marks = "\u0300\u0301\u0303\u0309\u0323"
    for vowel in vowels + vowels.upper():
        for mark in marks:
            name = "Lê " + vowel + mark + "n"
            result = parse_full_name(name)
            assert isinstance(result, Accepted), name
            assert unicodedata.is_normalized("NFC", result.value)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_full_name_refuses_empty_input(text: str) -> None:
    assert "Please type your full name" in refusal(text).reason.msgid


@pytest.mark.parametrize("text", ["Nguyễn Văn 2", "Lê 3 Na", "Lê Na１", "Trần Văn ²"])
def test_full_name_refuses_digits(text: str) -> None:
    assert refusal(text).reason.msgid == "A name must not contain digits."


@pytest.mark.parametrize(
    ("text", "character"),
    [
        ("Nguyễn Văn A.", "."),
        ("Lê_Na", "_"),
        ("Lê@Na", "@"),
        ("Nguyễn 😀", "😀"),
        ("😀" * 5, "😀"),
        ("Lê Na 🇻🇳", "🇻"),
        ("Иван", "И"),
        ("Lê ń", "ń"),  # composes, but ń is not a Vietnamese letter
        ("Müller", "ü"),
        ("Lê–Na", "–"),  # en dash is not a hyphen
        ("Lê,Na", ","),
    ],
)
def test_full_name_refuses_other_characters_naming_the_first(text: str, character: str) -> None:
    reason = refusal(text).reason
    assert reason.msgid.startswith("A name cannot contain “{character}”")
    assert reason.params == {"character": character}


@pytest.mark.parametrize(
    ("text", "code_point"),
    [("Lê\u200bNa", "U+200B"), ("Lê\u0000Na", "U+0000"), ("\u202eLê Na", "U+202E"), ("Lê\ue000", "U+E000")],
)
def test_full_name_describes_invisible_characters_instead_of_echoing_them(text: str, code_point: str) -> None:
    reason = refusal(text).reason
    assert "invisible character ({code_point})" in reason.msgid
    assert reason.params == {"code_point": code_point}


@pytest.mark.parametrize(
    ("text", "letter"), [("Lê Q\u0301uang", "Q"), ("Lê Nb\u0309", "b"), ("Lê Nê\u0301\u0301", "ế")]
)
def test_full_name_refuses_a_tone_mark_nfc_cannot_compose(text: str, letter: str) -> None:
    reason = refusal(text).reason
    assert reason.msgid.startswith("The accent after “{letter}” does not belong on that letter.")
    assert reason.params == {"letter": letter}


@pytest.mark.parametrize("text", ["\u0301Lê Na", "Lê \u0301Na", "Lê-\u0300Na"])
def test_full_name_refuses_a_tone_mark_not_after_a_letter(text: str) -> None:
    assert refusal(text).reason.msgid.startswith("This name has an accent that is not on a letter.")


@pytest.mark.parametrize("text", ["-", "' -", "''"])
def test_full_name_refuses_names_without_letters(text: str) -> None:
    assert refusal(text).reason.msgid == "A name must contain letters."


@pytest.mark.parametrize(
    "text", ["-Lê Na", "Lê Na-", "'Hen", "H'Hen Niê'", "H''Hen", "Lê--Na", "Lê-'Na", "Lê - Na", "Lê ' Na"]
)
def test_full_name_refuses_misplaced_or_doubled_hyphens_and_apostrophes(text: str) -> None:
    assert "must stand between two letters" in refusal(text).reason.msgid


@pytest.mark.parametrize("text", ["A", " đ ", "Ễ"])
def test_full_name_refuses_one_letter(text: str) -> None:
    reason = refusal(text).reason
    assert "too short" in reason.msgid
    assert reason.params == {"limit": 2}


@pytest.mark.parametrize("text", ["x" * 101, "Nguyễn " * 20, "a" * 10_240, "😀" * 10_240])
def test_full_name_refuses_more_than_100_characters(text: str) -> None:
    reason = refusal(text).reason
    assert "too long" in reason.msgid
    assert reason.params == {"limit": 100}


def test_full_name_length_is_counted_after_collapsing_whitespace() -> None:
    assert isinstance(parse_full_name("Lê" + " " * 500 + "Na"), Accepted)
