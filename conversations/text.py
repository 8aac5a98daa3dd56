"""Words the citizen will read, kept untranslated until the edge.

The core never translates: it returns `Text` values (a gettext msgid plus
parameters) and the bot renders them in the citizen's language with Babel.
`_` is the marker Babel's extractor looks for, so every string built with it
lands in the catalogs in `locales/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Union

Param = Union[str, int, date, "Text"]


@dataclass(frozen=True, slots=True)
class Text:
    """A message id and its parameters, e.g. `Text("Step {n}/{total}", {"n": 3, ...})`.

    Parameters may be other `Text` values (translated too) or dates
    (formatted for the locale).
    """

    msgid: str
    params: dict[str, Param] = field(default_factory=dict)

    def bind(self, **params: Param) -> Text:
        """The same message with (more of) its placeholders filled: for messages declared once, sent often."""
        return Text(self.msgid, {**self.params, **params})


@dataclass(frozen=True, slots=True)
class Lines:
    """Texts shown one per line as a single paragraph: a summary, a list."""

    texts: tuple[Text, ...]


Paragraph = Text | Lines


def _(msgid: str, /, **params: Param) -> Text:
    """Mark `msgid` for translation and bind its `{placeholders}`."""
    return Text(msgid, params)
