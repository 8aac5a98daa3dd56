"""The password, then done.

The password never travels through the chat: the step asks for it through
a secure channel (`Question.ask_password`; the Web App in Telegram, a hidden
prompt in the console), checks the portal's rule, relays it to the portal
and forgets it. Anything typed in the chat here is deleted and refused; where
the channel cannot delete it (Zalo), the citizen is asked to remove it and
to choose another password, since that one was written where it stays.
"""

from __future__ import annotations

from conversations.dialog import Dialog, PersonalData, StepName
from conversations.events import Event, PasswordChosen, Pressed, Said
from conversations.fields import PASSWORD_RULE, password_problems
from conversations.fields.password import guessable
from conversations.portal import PortalRefusal, RefusalCode
from conversations.replies import Button, Effect
from conversations.step import Answer, Context, Move, Question, Stay, Step, refuse
from conversations.steps.review import REGISTRATION_EXPIRED
from conversations.text import Text, _

NEW_LINK = Button("password:new_link", _("Send me a new link"))
TYPED_PASSWORD_KEPT = _("Please do not type your password in the chat. This chat does not let me remove that "
                        "message, so remove it yourself, and choose a different password in the secure form.")
LINK_REVOKED = _("Your password form was opened from another Telegram account, so I have cancelled that link. "
                 "Here is a new one: open it only from this chat, and do not forward it to anyone.")


def ask_password(dialog: Dialog, ctx: Context) -> Question:
    return Question((_("Last step: choose the password for your portal account, through the secure "
                       "form — never type it in this chat."), PASSWORD_RULE), ((NEW_LINK,),), ask_password=True)


def password_check(dialog: Dialog, password: str, confirmation: str) -> list[Text]:
    """Why this password cannot be used, if it cannot: the form checks first, the step again."""
    if password != confirmation:
        return [_("The two passwords are not the same. Please type them again.")]
    problems = password_problems(password)
    if problems:
        return problems
    weakness = guessable(password, personal=_details(dialog.data))
    return [weakness] if weakness else []


async def answer_password(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if isinstance(event, Said) and ctx.deletes_messages:
        return Stay((_("Please do not type your password in the chat; I have deleted that message. "
                       "Use the secure form instead."),), effects=(Effect.FORGET_MESSAGE,))
    if isinstance(event, Said):  # it stays in the chat: a password written there is not to be used
        return Stay((TYPED_PASSWORD_KEPT,))
    if event == Pressed(NEW_LINK.id):
        return refuse(_("Here is a new link; the previous one no longer works."))
    if not isinstance(event, PasswordChosen):
        return refuse(_("Please set your password through the secure form."))
    problems = password_check(dialog, event.password, event.confirmation)
    if problems:
        return Stay(tuple(problems))
    assert dialog.verified_registration is not None, "the password step follows a confirmed OTP"
    answer = await ctx.portal.set_password(dialog.verified_registration, event.password)
    if isinstance(answer, PortalRefusal):
        if answer.code is RefusalCode.WEAK_PASSWORD:
            return refuse(_("The portal refused this password as too weak. Please choose another one."))
        expired = dialog.model_copy(update={"verified_registration": None})
        return Move(StepName.REVIEW, expired, say=(REGISTRATION_EXPIRED,))
    done = dialog.restarted().model_copy(update={"username_hint": _mask(answer.username)})
    return Move(StepName.DONE, done)


def _details(data: PersonalData) -> list[str]:
    """What a password must not be made of: the citizen's own name, numbers and dates."""
    birth = data.birth_date
    dates = [f"{birth:%d%m%Y}", f"{birth:%Y}", f"{birth:%d%m}"] if birth else []
    email = (data.email or "").split("@")[0]
    return [data.full_name or "", data.id_number or "", (data.phone or "")[-9:], email, *dates]


def _mask(username: str) -> str:
    return "*" * (len(username) - 4) + username[-4:]


password = Step(
    StepName.PASSWORD, ask_password, answer_password, exits=(StepName.DONE, StepName.REVIEW), back=None,
    hint=_("Open the secure form, type the password twice and submit it. It goes straight to the portal "
           "and is never stored here."),
)


def ask_done(dialog: Dialog, ctx: Context) -> Question:
    return Question((
        _("Your account is ready! Log in at https://dichvucong.gov.vn with your ID number "
          "({username}) and the password you chose.", username=dialog.username_hint or "—"),
        _("I have deleted your personal details from this chat assistant. Send /start to register "
          "someone else."),
    ))


async def answer_done(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    return refuse(_("Your registration is complete. Send /start to register someone else."))


done = Step(
    StepName.DONE, ask_done, answer_done, exits=(), back=None,
    hint=_("Your registration is complete."), numbered=False,
)
