"""What one handled event meant for the funnel, refusals, SMS codes and handoffs, in metric terms.

`conversations/` reports no metrics (it does no I/O); everything here is
read from what the engine already answers — the dialog before and after,
the event, the first paragraph of the reply, the effects — so the flow
needs no change to be measured. The rules:

- funnel: a dialog reaches a step when it moves forward past the furthest
  step it has been at (answers it still holds show how far it went, so
  /back and forward again, or a return to the review after an edit, count
  once); consent counts every (re)start;
- refusal: an answer (text, button, contact, password, media) that leaves
  the dialog at its step with an explanation — except a doubt to confirm
  (an unknown province code) and a new SMS code, which are not refusals.
  The reason is the first words of the English explanation: stable, few,
  and free of what the citizen typed;
- SMS codes: sent, confirmed, wrong, expired, locked, resent.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.ops import metrics
from conversations.commands import GLOBAL_BUTTONS
from conversations.dialog import Dialog, StepName
from conversations.events import Command, Event, PasswordChosen, Picture, Pressed, Said, SharedContact, Unsupported
from conversations.outcome import Outcome, progress
from conversations.replies import Effect
from conversations.steps import FLOW
from conversations.steps.otp import EXPIRED, LOCKED
from conversations.text import Text

ORDER = {step.name: index for index, step in enumerate(FLOW)}
ANSWERS = (Said, Pressed, SharedContact, PasswordChosen, Unsupported, Picture)
REASON_WORDS = 8

# An answer the dialog still holds shows the citizen got past its step.
_KEPT_ANSWERS = (
    (StepName.ID_NUMBER, "id_number"), (StepName.FULL_NAME, "full_name"), (StepName.BIRTH_DATE, "birth_date"),
    (StepName.PHONE, "phone"), (StepName.EMAIL, "email"),
)


def observe_handled(before: Dialog, event: Event, outcome: Outcome, started: bool) -> None:
    """Count what handling `event` did; `started`: the dialog was new (nothing stored before)."""
    after = outcome.dialog
    reached = reached_step(before, after, started)
    if reached is not None:
        metrics.labelled(metrics.FUNNEL, reached.value).inc()
    if _cancelled(before, event, after):
        metrics.labelled(metrics.CANCELLED, before.step.value).inc()
    reason = refusal_reason(before, event, outcome)
    if reason is not None:
        metrics.labelled(metrics.REFUSALS, before.step.value, reason).inc()
    otp = otp_outcome(before, event, outcome)
    if otp is not None:
        metrics.labelled(metrics.OTP, otp).inc()
    if Effect.HANDED_OFF in outcome.effects and after.handoff is not None:
        metrics.labelled(metrics.HANDOFFS, after.handoff.reason.value).inc()


def reached_step(before: Dialog, after: Dialog, started: bool) -> StepName | None:
    if after.step is StepName.CONSENT:
        return after.step if started or before.step is not StepName.CONSENT else None
    if after.step is before.step or before.editing:  # back at the review after an edit: been there
        return None
    return after.step if ORDER[after.step] > furthest(before) else None


def furthest(dialog: Dialog) -> int:
    """The furthest step (as its place in the flow) the dialog shows it has been at."""
    reached = ORDER[dialog.step]
    for step, field in _KEPT_ANSWERS:
        if getattr(dialog.data, field) is not None:
            reached = max(reached, ORDER[step] + 1)
    if dialog.verified_registration is not None:
        reached = max(reached, ORDER[StepName.PASSWORD])
    return reached


def refusal_reason(before: Dialog, event: Event, outcome: Outcome) -> str | None:
    after = outcome.dialog
    if not isinstance(event, ANSWERS) or before.handoff is not None or after.step is not before.step:
        return None
    if isinstance(event, Pressed) and event.button in GLOBAL_BUTTONS:  # language, "talk to a person"
        return None
    if Effect.PREPARED in outcome.effects or _doubted(before, after) or _resent(before, after):
        return None
    first = _first_paragraph(outcome)
    if first is None or first == progress(after):  # asked again without a reason (e.g. "type it again")
        return None
    return reason_label(first)


def reason_label(text: Text) -> str:
    """"This number has {count} digits; a CMND has 9..." → "this_number_has_digits_a_cmnd_has_9"."""
    return _label(text.msgid)


@lru_cache(maxsize=512)  # bounded all the same, should a Text ever carry other words
def _label(msgid: str) -> str:
    """Worked out once per message: the msgids are the catalogs' few, a refusal is frequent (issue 18)."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"\{[^}]*\}", " ", msgid.lower()))
    return "_".join(words[:REASON_WORDS]) or "other"


def otp_outcome(before: Dialog, event: Event, outcome: Outcome) -> str | None:
    after = outcome.dialog
    if before.step is StepName.REVIEW and after.step is StepName.OTP:
        return "sent"
    if before.step is not StepName.OTP or before.handoff is not None or isinstance(event, Command):
        return None
    if after.step is StepName.PASSWORD:
        return "confirmed"
    if _resent(before, after):
        return "resent"
    first = _first_paragraph(outcome)
    if first is not None and first.msgid == EXPIRED.msgid:
        return "expired"
    if first is not None and first.msgid == LOCKED.msgid:
        return "locked"
    if before.otp is not None and after.otp is not None and after.otp.attempts_left < before.otp.attempts_left:
        return "locked" if after.otp.attempts_left == 0 else "wrong"
    return None


def _cancelled(before: Dialog, event: Event, after: Dialog) -> bool:
    return (isinstance(event, Command) and event.name == "cancel" and before.handoff is None
            and before.step is not StepName.CONSENT and after.step is StepName.CONSENT)


def _doubted(before: Dialog, after: Dialog) -> bool:
    """An answer taken with a doubt the citizen is asked to confirm (an unknown CCCD province code)."""
    return after.data.unconfirmed_id_number is not None and before.data.unconfirmed_id_number is None


def _resent(before: Dialog, after: Dialog) -> bool:
    return before.otp is not None and after.otp is not None and after.otp.expires_at != before.otp.expires_at


def _first_paragraph(outcome: Outcome) -> Text | None:
    if not outcome.replies or not outcome.replies[0].lines:
        return None
    first = outcome.replies[0].lines[0]
    return first if isinstance(first, Text) else None
