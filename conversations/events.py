"""What a citizen can do, whatever the transport: the tree's input alphabet."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from conversations.dialog import Dialog, StepName


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
class LinkRevoked:
    """The password form's link was opened by someone else (another Telegram account's launch data), so the
    form cancelled it: the citizen is told, and gets a new one."""


@dataclass(frozen=True, slots=True)
class PairingStarted:
    """The password page was opened without launch data and shows a code (conversations/pairing.py): the citizen
    is asked to send it here."""

    link: str  # the link's name
    code: str  # the code's digest
    until: datetime


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Anything that is not text: a sticker, photo, voice note, location…"""

    kind: str


class PictureProblem(StrEnum):
    """Why no QR code came out of a picture, each with its own advice to the citizen."""

    TOO_LARGE = "too_large"  # over the size the bot downloads
    NOT_AN_IMAGE = "not_an_image"  # a file no image library opens
    TOO_SMALL = "too_small"  # too few pixels for a QR code to be read
    NO_CODE = "no_code"  # no QR code found (blurred, too far, cut off, or simply none)
    NOT_FETCHED = "not_fetched"  # the file could not be downloaded


@dataclass(frozen=True, slots=True)
class PictureReading:
    """The texts of the QR codes in a picture (personal data: never in a repr), or why there are none."""

    texts: tuple[str, ...] = field(default=(), repr=False)
    problem: PictureProblem | None = None


@dataclass(frozen=True, slots=True)
class Picture:
    """A photo or an image file. Only a step that wants one reads it (`read` downloads and decodes it, in
    memory); anywhere else it is content the bot does not take, like a sticker."""

    kind: str  # as `Unsupported` names it: "photo" or "document"
    read: Callable[[], Awaitable[PictureReading]] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StaffAction:
    """What a help-desk staff member did with this dialog. Staff never give a field, a code or a password."""

    action: Literal["join", "resume", "close", "assist"]
    step: StepName | None = None  # where "resume" hands the dialog back to the assistant
    name: str = ""  # the staff member's first name, shown to the citizen on "join" when configured


@dataclass(frozen=True, slots=True)
class Adopted:
    """The citizen opened the link to a registration staff prepared for them at a counter, or typed its code."""

    prepared: Dialog | None  # None: the link was used already or has expired
    by_code: bool = False  # typed as a hand-over code (a channel without links): a refusal speaks of a code


Event = (Said | Pressed | SharedContact | Command | PasswordChosen | LinkRevoked | PairingStarted | Unsupported
         | Picture | StaffAction | Adopted)


def read_command(text: str) -> Command | None:
    """`/language en`, `/start@regbot` → a Command; anything else → None."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    # Any whitespace ends the name: "/cancel\nplease" is /cancel (fuzz: a newline once stayed in the name).
    head, *args = re.split(r"\s+", stripped[1:], maxsplit=1)
    return Command(head.split("@")[0].lower()[:64], args[0].strip() if args else "")


def read_text(text: str) -> Command | Said:
    return read_command(text) or Said(text)
