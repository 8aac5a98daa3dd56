"""The Bot API calls a reply becomes, and the failures a framework must report back.

Adapters execute `Action`s with their framework's client and translate its
exceptions into the four failures below, so pacing and retries are decided
once, in `delivery`, for every framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CallbackButton:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class WebAppButton:
    """Opens the Mini App; Telegram appends the signed launch data to the URL's fragment."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class LinkButton:
    """Opens the URL in a browser: for clients without Mini App support."""

    label: str
    url: str


Row = tuple[CallbackButton | WebAppButton | LinkButton, ...]


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class ContactKeyboard:
    """A reply keyboard with one "share my phone number" button (request_contact)."""

    label: str


@dataclass(frozen=True, slots=True)
class RemoveKeyboard:
    """Take away a reply keyboard shown earlier."""


Markup = InlineKeyboard | ContactKeyboard | RemoveKeyboard | None


@dataclass(frozen=True, slots=True)
class SendMessage:
    chat_id: int
    text: str
    markup: Markup = None


@dataclass(frozen=True, slots=True)
class ClearKeyboard:
    """Remove the inline keyboard of a message, so its buttons cannot be pressed twice."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class AnswerCallback:
    callback_id: str


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    chat_id: int
    message_id: int


Action = SendMessage | ClearKeyboard | AnswerCallback | DeleteMessage


@dataclass(frozen=True, slots=True)
class BotCommand:
    command: str
    description: str


class RetryAfter(Exception):
    """429: Telegram asks us to wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Blocked(Exception):
    """403: the citizen blocked the bot (or deleted their account); retrying cannot help."""


class Transient(Exception):
    """A network error or a 5xx: worth retrying with backoff."""


class Rejected(Exception):
    """400 and the like: this call can never succeed (e.g. the message is already gone)."""


class BotCalls(Protocol):
    """What an adapter must do with its framework's client."""

    async def execute(self, action: Action) -> None: ...

    async def set_commands(self, commands: list[BotCommand], language: str | None) -> None: ...

    async def set_descriptions(self, description: str, short_description: str, language: str | None) -> None: ...
