"""The code the portal sent by SMS: expiry, attempts left, and "Gửi lại OTP".

The code is taken typed alone or inside the whole SMS pasted
(conversations/fields/otp_code.py), and every message that may hold it is
deleted from the chat, right or wrong; where the channel cannot delete it
(Zalo), the citizen is told the code works once and expires
(conversations/forgetting.py), and it is never echoed. Obvious typos (not six digits) and
tries after a lockout are answered here without spending one of the
portal's attempts. Whether a code has expired
and whether a new one may be sent yet are the portal's to decide, by its
clock: the bot's clock may jump or drift (NTP, a VM resumed), and a code
the portal still accepts must not be refused here, nor a resend it would
allow. The countdown shown is only a hint. A registration the portal has
forgotten sends the citizen back to the review, answers intact, to submit
again.
"""

from __future__ import annotations

from conversations.dialog import Dialog, StepName
from conversations.events import Event, Pressed, Said
from conversations.fields.otp_code import read_otp_code, six_digit_runs
from conversations.forgetting import CODE_KEPT, forgotten
from conversations.portal import PortalRefusal, RefusalCode
from conversations.replies import Button
from conversations.step import Answer, Context, Move, Question, Stay, Step, refuse
from conversations.steps.review import REGISTRATION_EXPIRED, otp_state
from conversations.text import _

RESEND = Button("otp:resend", _("Send the code again (Gửi lại OTP)"))
EXPIRED = _("This code has expired. Press \"Send the code again\" to get a new one.")
LOCKED = _("Too many wrong codes. Press \"Send the code again\" to get a new one.")


def ask_otp(dialog: Dialog, ctx: Context) -> Question:
    otp = dialog.otp
    assert otp is not None, "the OTP step is reached only after a submit"
    wait = ctx.seconds_until(otp.resend_at)
    return Question(
        (
            _("Type the 6-digit code sent by SMS to {phone}. Attempts left: {attempts}.",
              phone=otp.masked_phone, attempts=otp.attempts_left),
            _("Did not get it? You can ask for a new code in {seconds} seconds.", seconds=wait) if wait
            else _("Did not get it? You can ask for a new code now."),
        ),
        ((RESEND,),),
    )


async def answer_otp(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    assert dialog.otp is not None
    if event == Pressed(RESEND.id):
        return await _resend(dialog, ctx)
    if not isinstance(event, Said):
        return refuse(_("Please type the 6-digit code as a message."))
    code = read_otp_code(event.text)
    if code is None and len(six_digit_runs(event.text)) <= 1:
        return refuse(_("The code has exactly 6 digits. Please check the SMS and type it again."))
    return forgotten(await _check(dialog, code, ctx), ctx, CODE_KEPT)


async def _check(dialog: Dialog, code: str | None, ctx: Context) -> Answer:
    """A message that holds the code (None: more than one number that might be it), checked with the portal."""
    otp = dialog.otp
    assert otp is not None
    if code is None:  # which one is the code? Either way, none stays in the chat
        return Stay((_("I cannot tell which number in that message is the code. Please type only the "
                       "6 digits of the code."),))
    if otp.attempts_left == 0:
        return Stay((LOCKED,))
    answer = await ctx.portal.verify_otp(otp.registration_id, code)
    if not isinstance(answer, PortalRefusal):
        verified = dialog.model_copy(update={"otp": None, "verified_registration": otp.registration_id})
        return Move(StepName.PASSWORD, verified, say=(_("Your phone number is confirmed."),))
    if answer.code is RefusalCode.UNKNOWN_REGISTRATION:
        return Move(StepName.REVIEW, dialog.model_copy(update={"otp": None}), say=(REGISTRATION_EXPIRED,))
    attempts_left = {RefusalCode.OTP_INVALID: answer.attempts_left, RefusalCode.OTP_LOCKED: 0}.get(answer.code)
    reason = {RefusalCode.OTP_INVALID: _("That code is not right."), RefusalCode.OTP_LOCKED: LOCKED,
              RefusalCode.OTP_EXPIRED: EXPIRED}.get(answer.code, _("The portal could not check the code. "
                                                                  "Please ask for a new code."))
    if attempts_left is not None:
        dialog = dialog.model_copy(update={"otp": otp.model_copy(update={"attempts_left": attempts_left})})
    return Stay((reason,), dialog)


async def _resend(dialog: Dialog, ctx: Context) -> Answer:
    otp = dialog.otp
    assert otp is not None
    answer = await ctx.portal.resend_otp(otp.registration_id)
    if isinstance(answer, PortalRefusal):
        if answer.code is RefusalCode.UNKNOWN_REGISTRATION:
            return Move(StepName.REVIEW, dialog.model_copy(update={"otp": None}), say=(REGISTRATION_EXPIRED,))
        if answer.code is RefusalCode.RESEND_COOLDOWN:
            return refuse(_("Please wait {seconds} seconds before asking for a new code.",
                            seconds=answer.retry_after or 60))
        if answer.code is RefusalCode.SEND_LIMIT:
            minutes = max(1, ((answer.retry_after or 60) + 59) // 60)
            return refuse(_("The portal has sent too many codes to this number. Please try again in "
                            "{minutes} minutes.", minutes=minutes))
        return refuse(_("The portal could not send a new code. Please try again in a few minutes."))
    return Stay((_("A new code has been sent to {phone}. The old one no longer works.",
                   phone=answer.masked_phone),), dialog.model_copy(update={"otp": otp_state(answer, ctx)}))


otp = Step(
    StepName.OTP, ask_otp, answer_otp, exits=(StepName.PASSWORD, StepName.REVIEW), back=StepName.REVIEW,
    hint=_("The SMS usually arrives within a minute. If it does not, press \"Send the code again\" when "
           "the wait is over."),
)
