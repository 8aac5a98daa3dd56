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
    HANDED_OFF = "handed_off"  # open (or reopen) the citizen's help-desk case
    RELAY = "relay"  # pass the citizen's message on to the help desk
    BACK_WITH_ASSISTANT = "back_with_assistant"  # the handoff is over: the assistant answers again
    PREPARED = "prepared"  # an assisted registration is ready: make the link for the citizen's phone
    FORGET_MESSAGE = "forget_message"  # delete the citizen's last message (an OTP, a password)
    ERASE = "erase"  # delete everything kept about the citizen: dialog, links, help-desk case

