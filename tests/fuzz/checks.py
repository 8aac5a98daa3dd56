"""What must hold for every message the bot sends a citizen, whatever they sent it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.channels.telegram.actions import (
    Action,
    CallbackButton,
    ContactKeyboard,
    InlineKeyboard,
    RemoveKeyboard,
    SendMessage,
)
from bot.core.i18n import Catalogs
from bot.core.texts import UPDATE_FAILED
from conversations.dialog import LANGUAGES, Language
from conversations.fields.normalize import code_point, is_invisible
from tests.fuzz.localised import LocalisedText

TELEGRAM_MAX_TEXT = 4096  # characters a message may have (Bot API sendMessage)
TELEGRAM_MAX_DATA = 64  # bytes of callback_data
# A message carries one keyboard: when a reply both takes the contact keyboard away and shows buttons, and has
# nothing to say before its question, the front sends this sign alone to carry the removal
# (bot/channels/telegram/replies.py).
KEYBOARD_CARRIER = "✓"
# The answer to an update whose handling raised (bot/core/switchboard.py): localised, so the language check
# alone would let a crash pass; its text up to the reference, in each language.
_CRASHED = tuple(Catalogs().render(UPDATE_FAILED.bind(ref="\0"), language).partition("\0")[0]
                 for language in LANGUAGES)


def assert_sent_in_language(calls: Sequence[Action], language: Language, localised: LocalisedText) -> None:
    """Each message: not the answer to a crash, catalog text in `language`, sendable (not empty, not too long,
    valid UTF-8), and its buttons labelled in `language` with data Telegram accepts."""
    for call in calls:
        if not isinstance(call, SendMessage):
            continue
        if call.text == KEYBOARD_CARRIER and isinstance(call.markup, RemoveKeyboard):
            continue
        text = call.text
        assert not any(crashed in text for crashed in _CRASHED), "handling raised: see the log line it names"
        assert text.strip(), "an empty message"
        assert len(text) <= TELEGRAM_MAX_TEXT, f"a message of {len(text)} characters: Telegram refuses it"
        text.encode("utf-8")  # a lone surrogate would make Telegram refuse the whole message
        hidden = [code_point(ch) for ch in text if is_invisible(ch) and ch != "\n"]
        assert not hidden, f"invisible characters sent back (a bidi override garbles the message): {hidden[:5]}"
        foreign = localised.foreign_parts(text, language)
        assert not foreign, f"not a {language} catalog message: {foreign[0][:300]!r}"
        markup = call.markup
        if isinstance(markup, InlineKeyboard):
            for row in markup.rows:
                for button in row:
                    assert localised.is_message(button.label, language), (language, button.label)
                    if isinstance(button, CallbackButton):
                        assert len(button.data.encode()) <= TELEGRAM_MAX_DATA, button.data
        elif isinstance(markup, ContactKeyboard):
            assert localised.is_message(markup.label, language), (language, markup.label)
