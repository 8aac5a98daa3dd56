"""Turn the core's `Text` values into the citizen's language.

Catalogs are the gettext `.po` files in `locales/`, read with Babel at
start-up (no compiled `.mo` files to keep in step). Dates are written out
by Babel in the long form ("5 tháng 9, 1990" / "September 5, 1990") so a
citizen can see at once whether day and month were read the right way.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from conversations.dialog import LANGUAGES, Language
from conversations.text import Lines, Paragraph, Param, Text

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"


def load_translations(language: str, locales_dir: Path = LOCALES_DIR) -> Translations:
    with (locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Catalogs:
    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translations = {language: load_translations(language, locales_dir) for language in LANGUAGES}
        for language in LANGUAGES:  # Babel reads a locale's data on first use (about 100 ms for "vi"): at start-up,
            format_date(date(2000, 1, 1), "long", locale=language)  # not in the first citizen's answer

    def render(self, text: Text, language: Language) -> str:
        template = self._translations[language].gettext(text.msgid)
        if not text.params:
            return template
        return template.format(**{name: self._param(value, language) for name, value in text.params.items()})

    def render_paragraph(self, paragraph: Paragraph, language: Language) -> str:
        if isinstance(paragraph, Lines):
            return "\n".join(self.render(line, language) for line in paragraph.texts)
        return self.render(paragraph, language)

    def labels(self, text: Text) -> Iterator[str]:
        """The text in every language: typed answers may match a button in either."""
        for language in LANGUAGES:
            yield self.render(text, language)

    def _param(self, value: Param, language: Language) -> str:
        if isinstance(value, Text):
            return self.render(value, language)
        if isinstance(value, date):
            return format_date(value, "long", locale=language)
        return str(value)
