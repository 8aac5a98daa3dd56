"""What a citizen can do, whatever the transport: the tree's input alphabet."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Said:
    """Typed text."""

    text: str


@dataclass(frozen=True, slots=True)
class Pressed:
    """A button press; `button` is the stable id the reply offered (never a label)."""

    button: str


@dataclass(frozen=True, slots=True)
class SharedContact:
    """A phone number shared through the transport's contact feature."""

    phone: str
    own: bool  # the contact is the sender's own (Telegram: contact.user_id == from.id)


@dataclass(frozen=True, slots=True)
class Command:
    """`/name args`; name is lower-case, without the slash or a @botname suffix."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class PasswordChosen:
    """The password, typed twice, from the secure password form (never the chat).

    Handled in memory only: it is never part of a stored dialog.
    """

    password: str = field(repr=False)
    confirmation: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Anything that is not text: a sticker, photo, voice note, location…"""

    kind: str


Event = Said | Pressed | SharedContact | Command | PasswordChosen | Unsupported


def read_command(text: str) -> Command | None:
    """`/language en`, `/start@regbot` → a Command; anything else → None."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, _space, args = stripped[1:].partition(" ")
    return Command(head.split("@")[0].lower()[:64], args.strip())


def read_text(text: str) -> Command | Said:
    return read_command(text) or Said(text)
