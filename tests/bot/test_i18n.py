"""Both catalogs are complete: every string the code can show has a Vietnamese and an English text."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, Catalogs
from conversations.text import Text

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("conversations", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords={"_": None}
        ):
            assert isinstance(message, str), f"plural or odd message in {_file}:{_line}"
            found.add(message)
    return found


MESSAGES = sorted(source_messages())


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    missing = [msgid for msgid in MESSAGES if not (catalog.get(msgid) and catalog.get(msgid).string)]
    fuzzy = [msgid for msgid in MESSAGES if catalog.get(msgid) and catalog.get(msgid).fuzzy]
    assert not missing, f"{len(missing)} messages lack a {language} translation, e.g. {missing[:3]}"
    assert not fuzzy, f"fuzzy {language} translations: {fuzzy[:3]}"
    for msgid in MESSAGES:
        translated = catalog.get(msgid).string
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(msgid)), (language, msgid)


def test_vietnamese_is_really_vietnamese() -> None:
    catalogs = Catalogs()
    same = [msgid for msgid in MESSAGES if catalogs.render(Text(msgid), "vi") == msgid and len(msgid) > 20]
    assert len(same) <= 2, f"untranslated in vi: {same[:5]}"


def test_dates_are_written_out_per_language() -> None:
    catalogs = Catalogs()
    birth = Text("Date of birth: {birth_date}", {"birth_date": date(1990, 9, 5)})
    assert "5 tháng 9, 1990" in catalogs.render(birth, "vi")
    assert "September 5, 1990" in catalogs.render(birth, "en")


def test_progress_reads_buoc_in_vietnamese() -> None:
    assert Catalogs().render(Text("Step {number}/{total}", {"number": 3, "total": 8}), "vi") == "Bước 3/8"
