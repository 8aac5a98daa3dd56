"""What handling one event produces, and how the current question is phrased.

Every reply ends with the question the citizen is at, so whatever happened
(a refusal, a command, a stale button) they always see what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.dialog import Dialog
from conversations.replies import Effect, Reply
from conversations.step import Context
from conversations.steps import NUMBERED, STEPS
from conversations.text import Paragraph, Text, _

LANGUAGE_CHOSEN = _("From now on I will answer in the language you chose.")


@dataclass(frozen=True, slots=True)
class Outcome:
    dialog: Dialog
    replies: tuple[Reply, ...]
    changed: bool  # False: nothing to store (a refusal, a repeated question)
    effects: tuple[Effect, ...] = ()


# Declared once, not built per answer (issue 18): a `Text` is never changed once made.
_PROGRESS = {step: _("Step {number}/{total}", number=number, total=len(NUMBERED))
             for number, step in enumerate(NUMBERED, start=1)}


def progress(dialog: Dialog) -> Text | None:
    """The "Step n/N" header of a numbered step's question; None for the others."""
    return _PROGRESS.get(dialog.step)


def question_reply(dialog: Dialog, ctx: Context, before: tuple[Paragraph, ...] = ()) -> Reply:
    question = STEPS[dialog.step].ask(dialog, ctx)
    header = progress(dialog)
    lines = (*before, *((header,) if header else ()), *question.lines)
    return Reply(lines, question.buttons, ask_contact=question.ask_contact, ask_password=question.ask_password)


def refusal(dialog: Dialog, ctx: Context, *reasons: Paragraph) -> Outcome:
    """Say why (or just answer) and ask the same question again; nothing is stored."""
    return Outcome(dialog, (question_reply(dialog, ctx, before=reasons),), changed=False)


def moved(
    dialog: Dialog, ctx: Context, before: tuple[Paragraph, ...] = (), effects: tuple[Effect, ...] = ()
) -> Outcome:
    return Outcome(dialog, (question_reply(dialog, ctx, before),), changed=True, effects=effects)
