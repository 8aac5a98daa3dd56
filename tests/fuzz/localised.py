"""Is a text the bot sends made of catalog messages in the dialog's language? (Not a raw key, not English in vi.)

Every paragraph the bot writes is one catalog message with its parameters
filled in (a summary is several, one per line). So a text is localised in a
language when each paragraph — or each line of it — matches one of that
language's translations, with any value where a `{placeholder}` stands. An
English sentence in a Vietnamese dialog, or a msgid shown untranslated,
matches nothing and is reported.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR
from conversations.dialog import LANGUAGES, Language

_PLACEHOLDER = re.compile(r"\{\w+\}")


def _pattern(template: str) -> str:
    literals = _PLACEHOLDER.split(template)
    return ".*?".join(re.escape(literal) for literal in literals)


class LocalisedText:
    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._matchers: dict[Language, re.Pattern[str]] = {}
        for language in LANGUAGES:
            with (locales_dir / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
                catalog = read_po(po, locale=language)
            templates = sorted({message.string for message in catalog if message.id and message.string},
                               key=len, reverse=True)
            self._matchers[language] = re.compile("|".join(f"(?:{_pattern(t)})" for t in templates), re.DOTALL)

    def foreign_parts(self, text: str, language: Language) -> list[str]:
        """The paragraphs of `text` that are not catalog messages in `language` (empty: all of it is)."""
        matcher = self._matchers[language]
        return [paragraph for paragraph in text.split("\n\n")
                if not matcher.fullmatch(paragraph)
                and not all(matcher.fullmatch(line) for line in paragraph.split("\n"))]

    def is_message(self, text: str, language: Language) -> bool:
        """One whole catalog message (e.g. a button's label) in `language`."""
        return self._matchers[language].fullmatch(text) is not None
