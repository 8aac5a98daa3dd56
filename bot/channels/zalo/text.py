"""An answer cut into Zalo messages: at most 2,000 characters each, cut between paragraphs.

Zalo shows plain text and refuses a longer message (-201), so a long answer
is sent as several: paragraphs are kept together as far as they fit, a
paragraph longer than a message is cut at a line, then a space, and only a
word longer than a message (none in the flow's texts) mid-word.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.zalo.api import MAX_TEXT


def split_message(paragraphs: Sequence[str], limit: int = MAX_TEXT) -> list[str]:
    messages: list[str] = []
    current = ""
    for paragraph in (piece for text in paragraphs if text.strip() for piece in _pieces(text.strip(), limit)):
        joined = f"{current}\n\n{paragraph}" if current else paragraph
        if len(joined) <= limit:
            current = joined
        else:
            messages.append(current)
            current = paragraph
    if current:
        messages.append(current)
    return messages


def _pieces(paragraph: str, limit: int) -> list[str]:
    """The paragraph as parts of at most `limit` characters, cut at the last line break or space that fits."""
    pieces = []
    while len(paragraph) > limit:
        cut = max(paragraph.rfind("\n", 0, limit + 1), paragraph.rfind(" ", 0, limit + 1))
        cut = cut if cut > 0 else limit
        pieces.append(paragraph[:cut].rstrip())
        paragraph = paragraph[cut:].lstrip()
    return [*pieces, paragraph] if paragraph else pieces
