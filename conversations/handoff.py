"""A person from the help desk takes the dialog, and gives it back.

While a dialog is handed off the assistant stays quiet: the citizen's
messages are passed on to staff (`Effect.RELAY`), except anything that looks
like their code or password: a message that is one is withheld and deleted; a
sentence with one inside goes on with it hidden (`for_staff`), and is deleted
from the citizen's chat (where the channel cannot delete, the citizen is
told to remove it: conversations/forgetting.py). Staff act on the
dialog only through `StaffAction`s — join, resume at a step, close, start an
assisted registration — never by giving a field, a code or a password.
Where the case lives and how messages travel is the edge's business.
"""

from __future__ import annotations

import re

from conversations.dialog import LANGUAGES, Dialog, Handoff, HandoffReason, StepName
from conversations.events import Adopted, Command, Event, Picture, Said, SharedContact, StaffAction, Unsupported
from conversations.fields import password_problems
from conversations.fields.normalize import normalize_digits
from conversations.masking import mask_secrets
from conversations.outcome import LANGUAGE_CHOSEN, Outcome, moved, refusal
from conversations.replies import Effect, Reply
from conversations.step import Context
from conversations.text import Paragraph, Text, _

MAX_TRIES = 3  # answers refused at one step before a person steps in

WITH_STAFF = _("You are talking with the help desk: write here and a staff member will answer in this chat. "
               "To go back to the assistant, send /cancel.")
_INTRODUCTIONS = {
    HandoffReason.ASKED: _("I am passing you to a person from the help desk."),
    HandoffReason.STUCK: _("This question seems hard to answer here, so I am passing you to a person from the "
                           "help desk."),
    HandoffReason.OTP_LOCKED: _("Too many wrong codes, so I am passing you to a person from the help desk."),
}
_WAIT = _("Your answers are kept. A staff member will write to you in this chat; until then the assistant is "
          "paused. To go back to the assistant, send /cancel.")
_WITHHELD = _("For your safety I did not pass that on and I deleted it: staff never need your code or your "
              "password.")
_MASKED = _("For your safety I hid your code or password before passing your message on, and deleted it here: "
            "staff never need them.")
_WITHHELD_KEPT = _("For your safety I did not pass that on: staff never need your code or your password. This chat "
                   "does not let me remove your message; you can remove it yourself.")
_MASKED_KEPT = _("For your safety I hid your code or password before passing your message on: staff never need "
                 "them. This chat does not let me remove your message; you can remove it yourself.")
_BACK = _("You are back with the assistant.")
_CLOSED = _("The help desk has finished the conversation. You are back with the assistant.")
_JOINED = _("A staff member from the help desk is now with you in this chat.")
_ASSIST = _("Assisted registration: enter the citizen's details as they give them to you. At the end you get a "
            "link and a QR code for the citizen's own phone; the code and the password stay with them.")
_ADOPTED = _("A staff member has prepared your registration. Please check the details: when you press "
             "\"Register\", the code is sent to your phone and you choose your password yourself.")
_SPENT_LINK = _("This link has been used already or has expired. Please ask the staff member for a new one.")
# Typed on Zalo, which has no links to open: a mistyped code is as likely as a spent one (issue 19).
_SPENT_CODE = _("This code is not right, has been used already or has expired. Check it and type it again, or ask "
                "the staff member for a new one.")


def hand_off(
    dialog: Dialog, reason: HandoffReason, ctx: Context, before: tuple[Paragraph, ...] = (),
    effects: tuple[Effect, ...] = (),
) -> Outcome:
    with_staff = dialog.model_copy(
        update={"handoff": Handoff(reason=reason, since=ctx.now), "tries": 0, "followed": True})
    reply = Reply((*before, _INTRODUCTIONS[reason], _WAIT))
    return Outcome(with_staff, (reply,), changed=True, effects=(*effects, Effect.HANDED_OFF))


def stuck(before: Dialog, after: Dialog) -> HandoffReason | None:
    """Whether the citizen needs a person now: the same question refused too often, or a lockout."""
    if after.tries >= MAX_TRIES:
        return HandoffReason.STUCK
    if after.otp and after.otp.attempts_left == 0 and before.otp and before.otp.attempts_left > 0:
        return HandoffReason.OTP_LOCKED
    return None


def while_with_staff(dialog: Dialog, event: Event, ctx: Context) -> Outcome:
    """The citizen writes while staff have the dialog: pass it on, never answer for the tree."""
    match event:
        case Command(name="cancel"):  # staff keep following the dialog until they close the case
            return moved(dialog.model_copy(update={"handoff": None, "tries": 0}), ctx, (_BACK,),
                         effects=(Effect.BACK_WITH_ASSISTANT,))
        case Command(name="language" | "lang", args=args) if args.strip().lower() in LANGUAGES:
            switched = dialog.model_copy(update={"language": args.strip().lower()})
            return Outcome(switched, (Reply((LANGUAGE_CHOSEN, WITH_STAFF)),), changed=True)
        case Said(text=text) if looks_secret(dialog, text):
            said, forget = _secret_said(ctx, _WITHHELD, _WITHHELD_KEPT)
            return Outcome(dialog, (Reply((said,)),), changed=False, effects=forget)
        case Said(text=text) if for_staff(dialog, text) != text:
            said, forget = _secret_said(ctx, _MASKED, _MASKED_KEPT)
            return Outcome(dialog, (Reply((said,)),), changed=False, effects=(*forget, Effect.RELAY))
    if relayed(dialog, event):
        return Outcome(dialog, (), changed=False, effects=(Effect.RELAY,))
    return Outcome(dialog, (Reply((WITH_STAFF,)),), changed=False)


def _secret_said(ctx: Context, deleted: Text, kept: Text) -> tuple[Text, tuple[Effect, ...]]:
    """What the citizen is told of their message that held a secret, and whether it is deleted: where the channel
    cannot delete it (Zalo), they are told so, never that it was."""
    return (deleted, (Effect.FORGET_MESSAGE,)) if ctx.deletes_messages else (kept, ())


def relayed(dialog: Dialog, event: Event) -> bool:
    """Whether what the citizen sent goes on to staff, as it is or as `for_staff` shows it (asked again for an
    update delivered twice)."""
    match event:
        case Said(text=text):
            return dialog.handoff is not None and not looks_secret(dialog, text)
        case Unsupported() | Picture() | SharedContact():
            return dialog.handoff is not None
    return False


def looks_secret(dialog: Dialog, text: str) -> bool:
    """A code while one is pending, or one word that would pass as a portal password."""
    compact = re.sub(r"\s+", "", normalize_digits(text))
    if dialog.otp is not None and re.fullmatch(r"[0-9]{4,8}", compact):
        return True
    return not re.search(r"\s", text.strip()) and not password_problems(text.strip())


def for_staff(dialog: Dialog, text: str) -> str:
    """The citizen's words as staff may read them: any code or password inside hidden."""
    return mask_secrets(text, code_pending=dialog.otp is not None)


def resumable(dialog: Dialog) -> tuple[StepName, ...]:
    """The steps staff may hand the dialog back at: those whose earlier answers are there."""
    if dialog.verified_registration:
        return (StepName.PASSWORD,)
    if dialog.consent is None:
        return (StepName.CONSENT,)
    data = dialog.data
    steps = [StepName.SUBJECT, StepName.METHOD, StepName.ID_NUMBER, StepName.FULL_NAME, StepName.BIRTH_DATE,
             StepName.PHONE, StepName.EMAIL]
    if data.id_number and data.full_name and data.birth_date and data.phone:
        steps.append(StepName.REVIEW)
    if dialog.otp is not None:
        steps.append(StepName.OTP)
    return tuple(steps)


def staff_action(dialog: Dialog, action: StaffAction, ctx: Context) -> Outcome:
    match action.action:
        case "join":
            joined = _("{name} from the help desk is now with you in this chat.", name=action.name) \
                if action.name else _JOINED
            taken = dialog if dialog.handoff else dialog.model_copy(
                update={"handoff": Handoff(reason=HandoffReason.STAFF, since=ctx.now), "tries": 0, "followed": True})
            return Outcome(taken, (Reply((joined,)),), changed=taken is not dialog)
        case "resume" if action.step in resumable(dialog):
            assert action.step is not None
            otp = dialog.otp if action.step is StepName.OTP else None
            back = dialog.at(action.step).model_copy(update={"handoff": None, "editing": False, "otp": otp})
            return moved(back, ctx, (_BACK,), effects=(Effect.BACK_WITH_ASSISTANT,))
        case "close":
            closed = dialog.model_copy(update={"handoff": None, "tries": 0, "followed": False})
            if dialog.handoff is None:
                return Outcome(closed, (), changed=closed != dialog)
            return moved(closed, ctx, (_CLOSED,), effects=(Effect.BACK_WITH_ASSISTANT,))
        case "assist":
            return moved(Dialog(language=dialog.language, assisted=True), ctx, (_ASSIST,))
    return Outcome(dialog, (), changed=False)  # nothing to do: the edge tells staff


def adopt(dialog: Dialog, adopted: Adopted, ctx: Context) -> Outcome:
    """The prepared registration becomes the citizen's, at the review, in their own language."""
    if adopted.prepared is None:
        return refusal(dialog, ctx, _SPENT_CODE if adopted.by_code else _SPENT_LINK)
    mine = adopted.prepared.model_copy(update={"assisted": False, "language": dialog.language, "handoff": None})
    return moved(mine.at(StepName.REVIEW), ctx, (_ADOPTED,))

