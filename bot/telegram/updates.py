"""A Telegram update, read into the tree's terms.

aiogram and python-telegram-bot both model updates with the Bot API's own
field names (`message.chat.id`, `from_user`, `callback_query.data`, …), so
one reader serves both frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.dialog import Language
from conversations.events import Event, Pressed, SharedContact, Unsupported, read_text

# Content a citizen can send that is not text, in the order Telegram documents them.
CONTENT_KINDS = (
    "animation", "audio", "document", "photo", "sticker", "story", "video", "video_note", "voice",
    "location", "venue", "poll", "dice", "game", "invoice",
)


@dataclass(frozen=True, slots=True)
class Incoming:
    update_id: int | None  # None: not from Telegram (the Web App, staff); never de-duplicated
    chat_id: int
    user_id: int
    language: Language | None  # from the user's Telegram settings, for a new dialog
    event: Event
    message_id: int | None = None  # the citizen's message, e.g. to delete an OTP
    callback_id: str | None = None  # a button press to answer
    keyboard_message_id: int | None = None  # the bot message whose button was pressed


def language_of(code: str | None) -> Language | None:
    if not code:
        return None
    base = code.split("-")[0].lower()
    return "vi" if base == "vi" else "en" if base == "en" else None


def read_update(update: Any) -> Incoming | None:
    """The update as an `Incoming`, or None for updates the assistant ignores (edits, groups, bots)."""
    if update.callback_query is not None:
        return _read_callback(update.update_id, update.callback_query)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    if message.chat.type != "private":
        return None
    user = message.from_user
    return Incoming(update.update_id, message.chat.id, user.id, language_of(user.language_code),
                    _read_message(message, user.id), message_id=message.message_id)


def _read_message(message: Any, user_id: int) -> Event:
    if message.text is not None:
        return read_text(message.text)
    if message.contact is not None:
        return SharedContact(message.contact.phone_number, own=message.contact.user_id == user_id)
    kind = next((kind for kind in CONTENT_KINDS if getattr(message, kind, None)), "other")
    return Unsupported(kind)


def _read_callback(update_id: int, query: Any) -> Incoming | None:
    message = query.message
    if message is None or message.chat.type != "private" or query.data is None:
        return None
    return Incoming(update_id, message.chat.id, query.from_user.id, language_of(query.from_user.language_code),
                    Pressed(query.data[:64]), callback_id=query.id, keyboard_message_id=message.message_id)
