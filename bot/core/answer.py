"""What the assistant answers an event, in the citizen's language, before any channel shapes it.

Channels turn a `Rendered` reply into their platform's messages; the `Answer`
is also what is kept (sealed) beside the dialog for a re-delivered update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import TypeAdapter

from conversations.dialog import Dialog, Language, StepName
from conversations.replies import Effect


@dataclass(frozen=True, slots=True)
class RenderedButton:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Image:
    """An image a person sends the citizen (a help-desk staff member's photo): each channel sends it its own way.
    Held in memory only, never kept with an answer."""

    data: bytes = field(repr=False)
    content_type: str  # as the bytes themselves say: "image/jpeg", "image/png", "image/webp"…


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply in the citizen's language, ready for any transport."""

    paragraphs: tuple[str, ...]
    buttons: tuple[tuple[RenderedButton, ...], ...] = ()
    ask_contact: bool = False
    ask_password: bool = False
    picture: Image | None = None  # sent with the paragraphs as its caption (only said, never an answer's)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class SayResult(StrEnum):
    """Whether a message said unprompted (a staff member's, a reminder) reached the citizen, and if not why: the
    help desk tells staff, each channel maps its own refusals onto these."""

    DELIVERED = "delivered"
    WINDOW_CLOSED = "window_closed"  # Zalo: no interaction from the citizen in the last 7 days
    UNFOLLOWED = "unfollowed"  # the citizen left: unfollowed the Zalo OA, blocked the Telegram bot
    INACTIVE = "inactive"  # Zalo: the citizen is banned, or inactive for more than 45 days
    PICTURE_TOO_LARGE = "picture_too_large"  # over what the channel takes (Zalo: 1 MB)
    PICTURE_TYPE = "picture_type"  # a format the channel does not take (Zalo: JPG and PNG only)
    REFUSED = "refused"  # any other refusal, or the platform unreachable: the log says which

    @property
    def delivered(self) -> bool:
        return self is SayResult.DELIVERED


def content_type_of(data: bytes) -> str | None:
    """An image's type by its first bytes (what a sender's file name or MIME type claims is not trusted)."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF8": "image/gif"}


@dataclass(frozen=True, slots=True)
class Answer:
    """What the citizen is told for one event. Kept (sealed) beside the dialog until their next event, an
    hour at most: a worker that dies after saving and before sending leaves it for the event's re-delivery."""

    replies: tuple[Rendered, ...]
    effects: tuple[Effect, ...]
    step_before: StepName  # where the dialog was when the event arrived
    language: Language
    taken: bool = False  # the flow accepted the event (a press it took, not a refusal): a channel may show the choice

    def dump(self) -> bytes:
        return _ANSWER.dump_json(self)

    @staticmethod
    def load(raw: bytes) -> Answer:
        return _ANSWER.validate_json(raw)


_ANSWER = TypeAdapter(Answer)


@dataclass(frozen=True, slots=True)
class Handled:
    replies: tuple[Rendered, ...]
    effects: tuple[Effect, ...]
    dialog: Dialog
    step_before: StepName  # where the dialog was when the event arrived
    stored: bool  # False: a refusal or a question repeated; the stored dialog was left as it was
    taken: bool = False  # the flow accepted the event (see `Answer.taken`)
    # Whether the replies reached the citizen (what the channel's `Replies.answer` said): what a staff command
    # made the assistant say may not have (Zalo's 7-day window, an unfollow), and staff are told (issue 19).
    said: SayResult = SayResult.DELIVERED

    @property
    def answer(self) -> Answer:
        return Answer(self.replies, self.effects, self.step_before, self.dialog.language, self.taken)
