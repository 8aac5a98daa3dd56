"""The shape every step of the flow has, and what answering it can do.

A step asks one question and reads one kind of answer. It does no I/O
except through the `Portal` port in its `Context` (and a `Picture`'s own
`read`, which only the ID step calls), and it never decides
where "next" is on its own when editing: `NEXT` lets the engine send the
citizen back to the review after an edit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from conversations.dialog import Dialog, StepName
from conversations.events import Event
from conversations.portal import Portal
from conversations.quota import UNLIMITED, RegistrationQuota
from conversations.replies import Button, Effect
from conversations.text import Paragraph, Text

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is exact


@dataclass(frozen=True, slots=True)
class Context:
    """What a step may use besides the dialog: the time, the portal, the catalogs' labels, the quota, whether
    this is a demonstration, and what the citizen's channel can do."""

    now: datetime
    portal: Portal
    labels: Callable[[Text], Iterable[str]] = lambda text: (text.msgid,)  # every translation of a label
    help_desk: bool = False  # staff can take over (a staff group is configured)
    quota: RegistrationQuota = UNLIMITED  # how many registrations this citizen, ID and phone may still start
    demo: bool = False  # the portal is the sandbox: citizens are told no real account will be made
    deletes_messages: bool = True  # the channel deletes a citizen's message on request (Telegram; Zalo cannot)

    @property
    def today(self) -> date:
        """The citizen's calendar day (ages and birth dates are Vietnamese dates)."""
        return self.now.astimezone(VIETNAM).date()

    def seconds_until(self, moment: datetime) -> int:
        return max(0, int((moment - self.now).total_seconds() + 0.999))


class _Next:
    def __repr__(self) -> str:
        return "NEXT"


NEXT = _Next()
"""Go to the step after this one in the flow, or back to the review when editing."""


@dataclass(frozen=True, slots=True)
class Move:
    """The answer was taken: go to `to` and ask its question (after `say`)."""

    to: StepName | _Next
    dialog: Dialog
    say: tuple[Paragraph, ...] = ()
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True, slots=True)
class Stay:
    """The dialog stays at this step: say why, then ask the same question again.

    `dialog=None` is a refusal: nothing about the stored dialog changes.
    """

    say: tuple[Paragraph, ...]
    dialog: Dialog | None = None
    effects: tuple[Effect, ...] = ()


Answer = Move | Stay


def refuse(reason: Text) -> Stay:
    return Stay((reason,))


@dataclass(frozen=True, slots=True)
class Question:
    lines: tuple[Paragraph, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    ask_contact: bool = False
    ask_password: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    name: StepName
    ask: Callable[[Dialog, Context], Question]
    answer: Callable[[Dialog, Event, Context], Awaitable[Answer]]
    exits: tuple[StepName, ...]  # every step `answer` may move to (drawn in docs/flow.md)
    back: StepName | None  # where /back goes; None: there is no going back from here
    hint: Text  # what /help adds for this step
    numbered: bool = True  # shows "Step n/8"
    reads_pictures: bool = False  # a `Picture` is read here; elsewhere it is refused like a sticker
