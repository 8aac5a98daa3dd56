"""Handle one event for one dialog: the only entry point into the flow.

`handle` takes the stored dialog and an event and returns an `Outcome`:
the new dialog, the replies and the effects. It never does I/O itself (the
portal is reached through `Context.portal`) and never raises for anything a
citizen can send: bad input becomes a localised refusal and, on a refusal,
`Outcome.changed` is False so the stored dialog stays exactly as it was.
"""

from __future__ import annotations

from functools import lru_cache

from conversations.commands import GLOBAL_BUTTONS, erase, run_command
from conversations.dialog import Dialog, Pairing, StepName
from conversations.events import (
    Adopted,
    Command,
    Event,
    LinkRevoked,
    PairingStarted,
    PasswordChosen,
    Picture,
    Pressed,
    Said,
    SharedContact,
    StaffAction,
    Unsupported,
)
from conversations.fields.normalize import fold
from conversations.forgetting import CODE_KEPT, forgetting
from conversations.handoff import adopt, hand_off, staff_action, stuck, while_with_staff
from conversations.outcome import Outcome, moved, question_reply, refusal
from conversations.pairing import ASK_FOR_CODE, CODE_EXPIRED, PAIRED, WRONG_CODE, digest, typed_code
from conversations.portal import PortalUnavailable
from conversations.replies import Reply
from conversations.step import NEXT, Context, Move, Stay
from conversations.steps import STEPS, step_after
from conversations.steps.password import LINK_REVOKED
from conversations.text import _

MAX_TEXT_LENGTH = 1000
NOT_WAITING_FOR_PASSWORD = _("This registration is not waiting for a password, so nothing was sent.")


async def handle(dialog: Dialog, event: Event, ctx: Context) -> Outcome:
    if isinstance(event, Pressed) and event.button in GLOBAL_BUTTONS:
        event = GLOBAL_BUTTONS[event.button]
    if isinstance(event, StaffAction):
        return staff_action(dialog, event, ctx)
    if isinstance(event, Adopted):
        return adopt(dialog, event, ctx)
    if isinstance(event, Command) and event.name == "delete":
        return erase(dialog)
    if isinstance(event, LinkRevoked | PairingStarted) and dialog.step is not StepName.PASSWORD:
        return Outcome(dialog, (), changed=False)  # the dialog moved on: that link was dead already
    if isinstance(event, LinkRevoked):  # the form cancelled a link someone else opened; a new one is asked for
        return refusal(dialog, ctx, LINK_REVOKED)
    if isinstance(event, PairingStarted):
        started = Pairing(link=event.link, code=event.code, until=event.until)
        return Outcome(dialog.model_copy(update={"pairing": started}), (Reply((ASK_FOR_CODE,)),), changed=True)
    if dialog.handoff is not None:
        return while_with_staff(dialog, event, ctx)
    if isinstance(event, Command):
        return run_command(dialog, event, ctx)
    if isinstance(event, Unsupported) or (isinstance(event, Picture) and not STEPS[dialog.step].reads_pictures):
        return refusal(dialog, ctx, _("I can only read text messages and buttons here. Please type "
                                      "your answer."))
    waiting = dialog.pairing if dialog.step is StepName.PASSWORD else None
    if isinstance(event, Said) and waiting is not None and not waiting.confirmed and (code := typed_code(event.text)):
        return _pair(dialog, waiting, code, ctx)
    if isinstance(event, Said):
        if len(event.text) > MAX_TEXT_LENGTH:
            return refusal(dialog, ctx, _("That message is too long ({length} characters). Please send "
                                          "only the answer to the question.", length=len(event.text)))
        if not event.text.strip():
            return refusal(dialog, ctx, _("That message is empty. Please type your answer."))
        event = _typed_choice(dialog, event, ctx)
    if isinstance(event, PasswordChosen) and dialog.step is not StepName.PASSWORD:
        return refusal(dialog, ctx, NOT_WAITING_FOR_PASSWORD)
    step = STEPS[dialog.step]
    if isinstance(event, Pressed) and not event.button.startswith(f"{step.name}:"):
        return refusal(dialog, ctx, _("That button belongs to an earlier question, which has moved on. "
                                      "Here is the current one."))
    try:
        answer = await step.answer(dialog, event, ctx)
    except PortalUnavailable:
        return refusal(dialog, ctx, _("The portal is not answering right now. Your answers are kept; "
                                      "please try again in a few minutes."))
    if isinstance(answer, Stay):
        return _stay(dialog, event, answer, ctx)
    return moved(_arrive(dialog, answer), ctx, answer.say, answer.effects)


def _pair(dialog: Dialog, pairing: Pairing, code: str, ctx: Context) -> Outcome:
    """The code of a password form opened in a browser, typed in the chat: the right one lets the form set the
    password; a wrong or late one ends the pairing, and a new link (asked for with the question) kills the old."""
    kept, forgotten = forgetting(ctx, CODE_KEPT)
    if ctx.now < pairing.until and digest(pairing.link, code) == pairing.code:
        confirmed = pairing.model_copy(update={"confirmed": True})
        return Outcome(dialog.model_copy(update={"pairing": confirmed}), (Reply((PAIRED, *kept)),), True, forgotten)
    ended = dialog.model_copy(update={"pairing": None})
    reason = WRONG_CODE if ctx.now < pairing.until else CODE_EXPIRED
    return Outcome(ended, (question_reply(ended, ctx, before=(reason, *kept)),), changed=True, effects=forgotten)


def _stay(dialog: Dialog, event: Event, stay: Stay, ctx: Context) -> Outcome:
    """Ask again, or, where staff can help, count a refused answer and hand over when stuck."""
    now = stay.dialog or dialog
    if ctx.help_desk and not dialog.assisted:
        if stay.dialog is None and isinstance(event, Said | SharedContact):
            now = now.model_copy(update={"tries": dialog.tries + 1})
        reason = stuck(dialog, now)
        if reason is not None:
            return hand_off(now, reason, ctx, before=stay.say, effects=stay.effects)
    reply = question_reply(now, ctx, before=stay.say)
    return Outcome(now, (reply,), changed=now != dialog, effects=stay.effects)


def _arrive(dialog: Dialog, move: Move) -> Dialog:
    """Where a move lands: NEXT returns to the review after an edit, else goes on in the flow."""
    if move.to is NEXT:
        target = StepName.REVIEW if move.dialog.editing else step_after(dialog.step)
    else:
        assert isinstance(move.to, StepName)
        target = move.to
    assert target in STEPS[dialog.step].exits, f"{dialog.step} may not move to {target}: see Step.exits"
    editing = move.dialog.editing and target is not StepName.REVIEW
    return move.dialog.model_copy(update={"step": target, "editing": editing, "tries": 0})


def _typed_choice(dialog: Dialog, said: Said, ctx: Context) -> Said | Pressed:
    """Typing a button's label (in any language, with or without tone marks) presses it."""
    typed = fold(said.text)
    for row in STEPS[dialog.step].ask(dialog, ctx).buttons:
        for button in row:
            if any(typed in _label_forms(label) for label in ctx.labels(button.label)):
                return Pressed(button.id)
    return said


@lru_cache(maxsize=256)  # the labels are fixed texts; bounded all the same
def _label_forms(label: str) -> frozenset[str]:
    """"Citizen (Công dân)" can be typed whole, as "citizen" or as "cong dan". Folded once per label: the
    buttons' labels in both languages are few, and folding them for every typed answer was a tenth of the
    flow's time (issue 18)."""
    outside, _sep, inside = label.partition("(")
    return frozenset({fold(label), fold(outside), fold(inside.rstrip(")"))} - {""})
