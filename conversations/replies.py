"""What the tree answers, before any transport or language is chosen.

Adapters turn a `Reply` into a Telegram message, console lines or anything
else; `Effect`s ask the edge to do something beyond replying.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from conversations.text import Paragraph, Text


@dataclass(frozen=True, slots=True)
class Button:
    id: str  # stable callback data: "<step>:<choice>" or "<scope>:<choice>"
    label: Text


@dataclass(frozen=True, slots=True)
class Reply:
    lines: tuple[Paragraph, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    ask_contact: bool = False  # offer the transport's "share my phone number"
    ask_password: bool = False  # collect a password through a secure channel


class Effect(StrEnum):
    HUMAN_REQUESTED = "human_requested"  # notify the help desk
    FORGET_MESSAGE = "forget_message"  # delete the citizen's last message (an OTP, a password)

