"""normalize_digits and strip_separators: digits from any script, separators from any keyboard."""

import pytest

from conversations.fields import normalize_digits, strip_separators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0123456789", "0123456789"),
        ("０１２３４５６７８９", "0123456789"),  # full-width
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),  # Arabic-Indic
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),  # Extended Arabic-Indic (Persian)
        ("०१२३४५६७८९", "0123456789"),  # Devanagari
        ("𝟎𝟏𝟐𝟑", "0123"),  # mathematical bold
        ("Số ０９１２", "Số 0912"),
    ],
)
def test_normalize_digits_turns_every_decimal_digit_into_ascii(text: str, expected: str) -> None:
    assert normalize_digits(text) == expected


@pytest.mark.parametrize("text", ["²³", "½", "Ⅻ", "abc", "", "+-/"])
def test_normalize_digits_leaves_non_decimal_characters_alone(text: str) -> None:
    assert normalize_digits(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("0912\u00a0345\u00a0678", "0912345678"),  # no-break space
        ("0912\u202f345\u2009678", "0912345678"),  # narrow no-break and thin space
        ("0912\u3000345", "0912345"),  # ideographic space
        ("0912\u200b345\u200c678\u200d", "0912345678"),  # zero-width space / non-joiner / joiner
        ("\ufeff0912\u2060345", "0912345"),  # BOM, word joiner
        ("09\u00ad12", "0912"),  # soft hyphen
        ("0912\u2013345\u2014678", "0912345678"),  # en and em dash
        ("0912\u2010345\u2011678\u2212", "0912345678"),  # hyphen, non-breaking hyphen, minus sign
        ("0912\uff0d345\uff0e678", "0912345678"),  # full-width hyphen-minus and full stop
        ("0912\t345\n678", "0912345678"),
    ],
)
def test_strip_separators_removes_spaces_dots_dashes_and_invisibles(text: str, expected: str) -> None:
    assert strip_separators(text) == expected


@pytest.mark.parametrize("text", ["+84(912)", "abc/def", "a_b"])
def test_strip_separators_keeps_other_characters(text: str) -> None:
    assert strip_separators(text) == text
