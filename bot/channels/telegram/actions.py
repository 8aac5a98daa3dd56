"""The Bot API calls a reply becomes, and the failures a framework must report back.

Adapters execute `Action`s with their framework's client and translate its
exceptions into the four failures below, so pacing and retries are decided
once, in `delivery`, for every framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    """Answers the new message's id."""

    chat_id: int
    text: str
    markup: Markup = None
    thread_id: int | None = None  # a forum topic


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """Answers the new message's id."""

    chat_id: int
    png: bytes = field(repr=False)  # a PNG or a JPEG: Telegram reads the picture, not the name
    caption: str = ""
    thread_id: int | None = None  # a forum topic


@dataclass(frozen=True, slots=True)
class CopyMessage:
    """Copy a message without its sender's name (the help desk relays this way); answers the copy's id."""

    chat_id: int
    from_chat_id: int
    message_id: int
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class EditText:
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboard | None = None


@dataclass(frozen=True, slots=True)
class ClearKeyboard:
    """Remove the inline keyboard of a message, so its buttons cannot be pressed twice."""

    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class ShowChoice:
    """Edit a pressed question into the citizen's choice: its text, a blank line, "✓ <label>", and no buttons.

    Takes the place of `ClearKeyboard` for a press the dialog took, at the same one call: the buttons cannot
    be pressed twice, and the chat keeps what was chosen.
    """

    chat_id: int
    message_id: int
    question: str
    label: str

    @property
    def text(self) -> str:
        return f"{self.question}\n\n✓ {self.label}"


@dataclass(frozen=True, slots=True)
class AnswerCallback:
    callback_id: str


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class CreateTopic:
    """Open a forum topic; answers its message_thread_id."""

    chat_id: int
    name: str


@dataclass(frozen=True, slots=True)
class EditTopic:
    chat_id: int
    thread_id: int
    name: str


@dataclass(frozen=True, slots=True)
class CloseTopic:
    chat_id: int
    thread_id: int


@dataclass(frozen=True, slots=True)
class ReopenTopic:
    chat_id: int
    thread_id: int


@dataclass(frozen=True, slots=True)
class GetMemberStatus:
    """Answers the user's status in the chat: "creator", "administrator", "member", "restricted", "left"…"""

    chat_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class DownloadFile:
    """A file a user sent (getFile, then the file itself); answers its bytes, held in memory only."""

    file_id: str


Action = (SendMessage | SendPhoto | CopyMessage | EditText | ClearKeyboard | ShowChoice | AnswerCallback
          | DeleteMessage | CreateTopic | EditTopic | CloseTopic | ReopenTopic | GetMemberStatus | DownloadFile)
Result = int | str | bytes | None  # a message or thread id, a member status, a file, or nothing


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


class TopicGone(Rejected):
    """The forum topic was deleted or closed: open a new one."""


def rejected(description: str) -> Rejected:
    """The failure for Telegram's description of a 400."""
    gone = ("message thread not found", "topic_closed", "topic_deleted", "topic_id_invalid")
    said = description.lower()  # python-telegram-bot rewrites "Bad Request: message…" as "Message…"
    return TopicGone(description) if any(marker in said for marker in gone) else Rejected(description)


class BotCalls(Protocol):
    """What an adapter must do with its framework's client."""

    async def execute(self, action: Action) -> Result: ...

    async def set_commands(self, commands: list[BotCommand], language: str | None) -> None: ...

    async def set_descriptions(self, description: str, short_description: str, language: str | None) -> None: ...
