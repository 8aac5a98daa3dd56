"""The summary before submitting: edit any field, then "Đăng ký".

Submitting asks the portal to create the pending registration, which sends
the OTP. The idempotency key is derived from the answers themselves, so a
retried submit (a double tap, a second worker, a crash after the portal
answered) can never make two registrations, while an edited form is a new
submission. Before it reaches the portal the quota is asked
(`conversations.quota`): past the day's limit the citizen is told when a
new one can be started, and nothing is sent.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from conversations.dialog import Dialog, OtpState, PersonalData, StepName
from conversations.events import Event, Pressed
from conversations.fields import national_phone
from conversations.portal import OtpSent, PortalRefusal, RefusalCode, Registration
from conversations.replies import Button, Effect
from conversations.step import VIETNAM, Answer, Context, Move, Question, Stay, Step, refuse
from conversations.steps.fields import ACCOUNT_EXISTS
from conversations.text import Lines, _

SUBMIT = Button("review:submit", _("Register (Đăng ký)"))
HANDOVER = Button("review:handover", _("Hand over to the citizen's phone"))
EDIT = {
    StepName.ID_NUMBER: Button("review:edit_id_number", _("Edit ID number")),
    StepName.FULL_NAME: Button("review:edit_full_name", _("Edit name")),
    StepName.BIRTH_DATE: Button("review:edit_birth_date", _("Edit date of birth")),
    StepName.PHONE: Button("review:edit_phone", _("Edit phone")),
    StepName.EMAIL: Button("review:edit_email", _("Edit email")),
}


def summary(data: PersonalData) -> Lines:
    return Lines((
        _("ID number (login name): {id_number}", id_number=data.id_number or "—"),
        _("Full name: {full_name}", full_name=data.full_name or "—"),
        _("Date of birth: {birth_date}", birth_date=data.birth_date or "—"),
        _("Phone: {phone}", phone=national_phone(data.phone) if data.phone else "—"),
        _("Email: {email}", email=data.email) if data.email else _("Email: none"),
    ))


def ask_review(dialog: Dialog, ctx: Context) -> Question:
    edits = list(EDIT.values())
    if dialog.assisted:  # prepared at a counter: the citizen submits from their own phone
        first, last = HANDOVER, _("If everything is right, press \"Hand over\": you get a link and a QR code "
                                  "for the citizen to open in their own Telegram.")
    else:
        first, last = SUBMIT, _("If everything is right, press \"Register\" and the portal will send a code "
                                "to your phone.")
    return Question((_("Please check your details:"), summary(dialog.data), last),
                    ((first,), tuple(edits[:2]), tuple(edits[2:4]), tuple(edits[4:])))


async def answer_review(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    for step, button in EDIT.items():
        if event == Pressed(button.id):
            return Move(step, dialog.model_copy(update={"editing": True}))
    if dialog.assisted and event == Pressed(HANDOVER.id):
        return Stay((_("Here is the link for the citizen. It works once; pressing \"Hand over\" again makes "
                       "a new one and the old one stops working."),),
                    effects=(Effect.PREPARED,))
    if dialog.assisted or event != Pressed(SUBMIT.id):
        return refuse(_("Press \"Register\" to submit, or one of the \"Edit\" buttons to change a field."))
    registration = _registration(dialog.data)
    if registration is None:  # cannot happen through the flow; guards a hand-edited store
        return Move(StepName.ID_NUMBER, dialog, say=(_("Some details are missing; let us fill them in."),))
    key = idempotency_key(dialog)
    again = await ctx.quota.claim(registration, key, ctx.now)
    if again is not None:  # before the portal: no SMS, no answer about this ID and phone
        local = again.astimezone(VIETNAM)
        return refuse(_TOO_MANY_STARTED.bind(time=local.strftime("%H:%M"), date=local.date()))
    answer = await ctx.portal.submit(registration, key)
    if isinstance(answer, PortalRefusal):
        return refuse(_SUBMIT_REFUSALS.get(answer.code, _COULD_NOT_SUBMIT))
    return Move(StepName.OTP, dialog.model_copy(update={"otp": otp_state(answer, ctx)}),
                say=(_("The portal has sent a 6-digit code by SMS to {phone}.", phone=answer.masked_phone),))


def otp_state(sent: OtpSent, ctx: Context) -> OtpState:
    return OtpState(
        registration_id=sent.registration_id, masked_phone=sent.masked_phone,
        expires_at=ctx.now + timedelta(seconds=sent.expires_in),
        resend_at=ctx.now + timedelta(seconds=sent.resend_in), attempts_left=sent.attempts_left,
    )


def idempotency_key(dialog: Dialog) -> str:
    data, consent = dialog.data, dialog.consent
    material = "|".join(str(part) for part in (
        consent.given_at.isoformat() if consent else "", data.id_number, data.full_name,
        data.birth_date, data.phone, data.email,
    ))
    return hashlib.sha256(material.encode()).hexdigest()


def _registration(data: PersonalData) -> Registration | None:
    if not (data.id_number and data.full_name and data.birth_date and data.phone):
        return None
    return Registration(data.id_number, data.full_name, data.birth_date, data.phone, data.email)


REGISTRATION_EXPIRED = _("The portal has closed this registration because it waited too long. Your answers are "
                         "kept: press \"Register\" to get a new code.")
_TOO_MANY_STARTED = _(
    "Too many registrations have been started today from this Telegram account, or with this ID number or "
    "phone number. To protect citizens from misuse, a new one can be started after {time} on {date} "
    "(Vietnam time). Your answers are kept.")
_COULD_NOT_SUBMIT = _("The portal did not accept the details. Please check them, edit what is wrong and "
                      "press \"Register\" again.")
_SUBMIT_REFUSALS = {
    RefusalCode.ACCOUNT_EXISTS: ACCOUNT_EXISTS,
    RefusalCode.PHONE_NOT_OWNED: _(
        "The portal says this phone number is not registered in your name (chính chủ). Use a number "
        "registered to your ID — or ask your carrier to update the owner of this SIM — then edit the "
        "phone and press \"Register\" again."),
}

review = Step(
    StepName.REVIEW, ask_review, answer_review,
    exits=(StepName.OTP, *EDIT), back=StepName.EMAIL,
    hint=_("Nothing is sent to the portal until you press \"Register\"."),
)
