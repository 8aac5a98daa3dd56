"""What the assistant answers an event, in the citizen's language, before any channel shapes it.

Channels turn a `Rendered` reply into their platform's messages; the `Answer`
is also what is kept (sealed) beside the dialog for a re-delivered update.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from conversations.dialog import Dialog, Language, StepName
from conversations.replies import Effect


@dataclass(frozen=True, slots=True)
class RenderedButton:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply in the citizen's language, ready for any transport."""

    paragraphs: tuple[str, ...]
    buttons: tuple[tuple[RenderedButton, ...], ...] = ()
    ask_contact: bool = False
    ask_password: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


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

    @property
    def answer(self) -> Answer:
        return Answer(self.replies, self.effects, self.step_before, self.dialog.language, self.taken)
