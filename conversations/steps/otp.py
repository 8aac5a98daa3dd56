"""The code the portal sent by SMS: expiry, attempts left, and "Gửi lại OTP".

Obvious typos (not six digits) and codes we know have expired are answered
here without spending one of the portal's attempts.
"""

from __future__ import annotations

import re

from conversations.dialog import Dialog, StepName
from conversations.events import Event, Pressed, Said
from conversations.fields.normalize import normalize_digits
from conversations.portal import PortalRefusal, RefusalCode
from conversations.replies import Button, Effect
from conversations.step import Answer, Context, Move, Question, Stay, Step, refuse
from conversations.steps.review import REGISTRATION_EXPIRED, otp_state
from conversations.text import Text, _

RESEND = Button("otp:resend", _("Send the code again (Gửi lại OTP)"))


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
    otp = dialog.otp
    assert otp is not None
    if event == Pressed(RESEND.id):
        return await _resend(dialog, ctx)
    if not isinstance(event, Said):
        return refuse(_("Please type the 6-digit code as a message."))
    code = re.sub(r"\s+", "", normalize_digits(event.text))
    if not re.fullmatch(r"[0-9]{6}", code):
        return refuse(_("The code has exactly 6 digits. Please check the SMS and type it again."))
    if ctx.now >= otp.expires_at:
        return Stay((_OTP_REFUSALS[RefusalCode.OTP_EXPIRED],), effects=(Effect.FORGET_MESSAGE,))
    answer = await ctx.portal.verify_otp(otp.registration_id, code)
    if not isinstance(answer, PortalRefusal):
        verified = dialog.model_copy(update={"otp": None, "verified_registration": otp.registration_id})
        return Move(StepName.PASSWORD, verified, say=(_("Your phone number is confirmed."),),
                    effects=(Effect.FORGET_MESSAGE,))
    if answer.code is RefusalCode.OTP_INVALID and answer.attempts_left is not None:
        fewer = dialog.model_copy(update={"otp": otp.model_copy(update={"attempts_left": answer.attempts_left})})
        return Stay((_("That code is not right."),), fewer, effects=(Effect.FORGET_MESSAGE,))
    spent = otp.model_copy(update={"attempts_left": 0}) if answer.code is RefusalCode.OTP_LOCKED else otp
    return Stay((_OTP_REFUSALS.get(answer.code, _UNEXPECTED),), dialog.model_copy(update={"otp": spent}),
                effects=(Effect.FORGET_MESSAGE,))


async def _resend(dialog: Dialog, ctx: Context) -> Answer:
    otp = dialog.otp
    assert otp is not None
    wait = ctx.seconds_until(otp.resend_at)
    if wait:
        return refuse(_("Please wait {seconds} seconds before asking for a new code.", seconds=wait))
    answer = await ctx.portal.resend_otp(otp.registration_id)
    if isinstance(answer, PortalRefusal):
        if answer.code is RefusalCode.SEND_LIMIT or answer.code is RefusalCode.RESEND_COOLDOWN:
            minutes = max(1, ((answer.retry_after or 60) + 59) // 60)
            return refuse(_("The portal has sent too many codes to this number. Please try again in "
                            "{minutes} minutes.", minutes=minutes))
        return refuse(_OTP_REFUSALS.get(answer.code, _UNEXPECTED))
    return Stay((_("A new code has been sent to {phone}. The old one no longer works.",
                   phone=answer.masked_phone),), dialog.model_copy(update={"otp": otp_state(answer, ctx)}))


_UNEXPECTED = _("The portal could not check the code. Please ask for a new code.")
_OTP_REFUSALS: dict[RefusalCode, Text] = {
    RefusalCode.OTP_EXPIRED: _("This code has expired. Press \"Send the code again\" to get a new one."),
    RefusalCode.OTP_LOCKED: _("Too many wrong codes. Press \"Send the code again\" to get a new one."),
    RefusalCode.UNKNOWN_REGISTRATION: REGISTRATION_EXPIRED,
}

otp = Step(
    StepName.OTP, ask_otp, answer_otp, exits=(StepName.PASSWORD,), back=StepName.REVIEW,
    hint=_("The SMS comes from the portal within a minute. The code works for 5 minutes and for 5 tries."),
)
