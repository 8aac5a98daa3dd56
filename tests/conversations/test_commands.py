"""How typed commands are read, and how an unknown one is answered (cases the fuzz suite found)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.i18n import Catalogs
from conversations.commands import run_command
from conversations.dialog import Dialog
from conversations.events import Command, Said, read_text
from conversations.step import Context


@pytest.mark.parametrize(("typed", "read"), [
    ("/language en", Command("language", "en")),
    ("/cancel\n\nplease", Command("cancel", "please")),
    ("/language\ten", Command("language", "en")),
    ("/status\u3000now", Command("status", "now")),
    ("/START@regbot_test_bot", Command("start")),
    ("/ x", Command("", "x")),
    ("/", Said("/")),
])
def test_a_command_name_ends_at_any_whitespace(typed: str, read: Command | Said) -> None:
    assert read_text(typed) == read


def test_an_unknown_command_is_shown_back_without_invisible_characters() -> None:
    context = Context(now=datetime(2026, 11, 26, tzinfo=UTC), portal=None)  # type: ignore[arg-type]  # unused
    outcome = run_command(Dialog(language="en"), Command("\u202etrats\u200b"), context)
    shown = Catalogs().render_paragraph(outcome.replies[0].lines[0], "en")
    assert shown == "I do not know the command /trats."
    assert not outcome.changed
