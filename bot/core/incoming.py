"""One event from a citizen, as any channel hands it to the core.

The core knows a citizen only by their dialog's key, which is qualified by
the channel account they write to (`DialogKey.bot`: a Telegram bot's id,
"console", later a Zalo Official Account), so the help desk and the limits
serve a citizen the same way whichever channel brought them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.storage import DialogKey
from conversations.dialog import Language
from conversations.events import Command, Event, Picture, Pressed, Said, SharedContact, Unsupported


@dataclass(frozen=True, slots=True)
class Incoming:
    key: DialogKey  # whose dialog: the channel account, the chat and the sender
    event: Event
    language: Language | None = None  # the sender's language as their platform reports it, for a new dialog
    event_id: str | None = None  # the platform's id of the update, to know a re-delivery; None: never the same twice
    origin: object = None  # what the channel needs to answer this very update (Telegram: the message and press)


@dataclass(frozen=True, slots=True)
class Attachment:
    """`Incoming.origin` of a picture on a channel with no message the help desk can copy (Zalo): its bytes,
    downloaded at most once, whether the ID step reads them, staff are shown them, or both."""

    fetch: Callable[[], Awaitable[bytes]] = field(repr=False)


def kind_of(event: Event) -> str:
    """The event's kind, for `regbot_updates_total` and its failures."""
    match event:
        case Said():
            return "text"
        case Command():
            return "command"
        case Pressed():
            return "press"
        case SharedContact():
            return "contact"
        case Unsupported(kind=kind) | Picture(kind=kind):
            return kind
    return "other"
