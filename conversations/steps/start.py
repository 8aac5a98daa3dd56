"""Before any personal data: consent, who is registering, and how.

Only a citizen using "Thuê bao di động" goes on to the automated form; the
portal's other ways in (SIM/USB ký số, BHXH, Bưu điện, VNeID) are explained
with the official link, and the citizen stays free to pick another.
"""

from __future__ import annotations

from conversations.dialog import CONSENT_TEXT_VERSION, Consent, Dialog, StepName
from conversations.events import Event, Pressed
from conversations.replies import Button
from conversations.step import NEXT, Answer, Context, Move, Question, Step, refuse
from conversations.text import Text, _

PORTAL_URL = "https://dichvucong.gov.vn"


PICK_A_BUTTON = _("Please choose one of the options below (press a button or type its name).")


# -- consent ---------------------------------------------------------------

AGREE = Button("consent:agree", _("I agree"))
DECLINE = Button("consent:decline", _("I do not agree"))


DEMONSTRATION = _(
    "⚠️ This is a demonstration: I am connected to a test portal, not to dichvucong.gov.vn, so no real "
    "account will be created. The SMS code goes to whoever runs this demonstration, not to your phone.")


def ask_consent(dialog: Dialog, ctx: Context) -> Question:
    return Question(
        (
            _("Hello! I will help you register an account on the National Public Service Portal "
              "(dichvucong.gov.vn) with your mobile number."),
            *((DEMONSTRATION,) if ctx.demo else ()),  # before anything is asked: nobody mistakes it for the portal
            _("To do that I need your ID number, full name, date of birth, phone number and, "
              "if you wish, your email. They are used only for this registration, sent only to "
              "the portal, and deleted when you finish, cancel, or after 24 hours without activity. "
              "Your password is never typed in this chat."),
            _("Do you agree to this use of your personal data?"),
        ),
        ((AGREE, DECLINE),),
    )


async def answer_consent(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if event == Pressed(AGREE.id):
        consent = Consent(given_at=ctx.now, text_version=CONSENT_TEXT_VERSION, language=dialog.language)
        return Move(NEXT, dialog.model_copy(update={"consent": consent}))
    if event == Pressed(DECLINE.id):
        return refuse(_("Without your agreement I cannot collect anything. You can still register "
                        "yourself at {url}, or agree below whenever you are ready.", url=PORTAL_URL))
    return refuse(PICK_A_BUTTON)


consent = Step(
    StepName.CONSENT, ask_consent, answer_consent, exits=(StepName.SUBJECT,), back=None,
    hint=_("Nothing is collected before you agree. /cancel deletes everything at any time."),
    numbered=False,
)

# -- subject ----------------------------------------------------------------

CITIZEN = Button("subject:citizen", _("Citizen (Công dân)"))
BUSINESS = Button("subject:business", _("Business (Doanh nghiệp)"))


def ask_subject(dialog: Dialog, ctx: Context) -> Question:
    return Question((_("Who is the account for?"),), ((CITIZEN, BUSINESS),))


async def answer_subject(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if event == Pressed(CITIZEN.id):
        return Move(NEXT, dialog)
    if event == Pressed(BUSINESS.id):
        return refuse(_("Registration with a mobile number is for citizens only. A business registers "
                        "with a digital-signature SIM (SIM ký số) or USB token (USB ký số): open {url}, "
                        "press \"Đăng ký\", choose \"Doanh nghiệp\" and follow the portal's steps.",
                        url=PORTAL_URL))
    return refuse(PICK_A_BUTTON)


subject = Step(
    StepName.SUBJECT, ask_subject, answer_subject, exits=(StepName.METHOD,), back=StepName.CONSENT,
    hint=_("Choose \"Citizen\" to register a personal account with your mobile number."),
    numbered=False,
)

# -- method -------------------------------------------------------------------

MOBILE = Button("method:mobile", _("Mobile subscriber (Thuê bao di động)"))
OTHER_METHODS: tuple[tuple[Button, Text], ...] = (  # (button, how to register that way)
    (Button("method:sim", _("Digital-signature SIM (SIM ký số)")),
     _("With a digital-signature SIM: open {url}, press \"Đăng ký\", choose \"Công dân\" then "
       "\"SIM ký số\", and confirm on your phone when your carrier asks.", url=PORTAL_URL)),
    (Button("method:usb", _("USB token (USB ký số)")),
     _("With a USB token: plug it into a computer with its driver installed, open {url}, press "
       "\"Đăng ký\", choose \"USB ký số\" and follow the portal's steps.", url=PORTAL_URL)),
    (Button("method:bhxh", _("Social insurance (BHXH)")),
     _("With a Social Insurance (BHXH) account: open {url}, press \"Đăng ký\", choose "
       "\"Bảo hiểm xã hội\" and sign in with your BHXH code and password.", url=PORTAL_URL)),
    (Button("method:post", _("Vietnam Post (Bưu điện)")),
     _("With Vietnam Post: open {url}, press \"Đăng ký\", choose \"Bưu điện Việt Nam\" and "
       "use the account you have with the post office.", url=PORTAL_URL)),
    (Button("method:vneid", _("VNeID")),
     _("With VNeID: install the VNeID app and activate level-2 electronic identification at "
       "the police; then on {url} choose \"Đăng nhập\" → \"VNeID\" — no separate "
       "registration is needed.", url=PORTAL_URL)),
)


def ask_method(dialog: Dialog, ctx: Context) -> Question:
    others = [button for button, _explanation in OTHER_METHODS]
    return Question(
        (_("How would you like to register? I can do it with you right here for a mobile "
           "subscriber; for the other ways I will explain the steps."),),
        ((MOBILE,), tuple(others[:2]), tuple(others[2:4]), tuple(others[4:])),
    )


async def answer_method(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if event == Pressed(MOBILE.id):
        return Move(NEXT, dialog)
    for button, explanation in OTHER_METHODS:
        if event == Pressed(button.id):
            return refuse(explanation)
    return refuse(PICK_A_BUTTON)


method = Step(
    StepName.METHOD, ask_method, answer_method, exits=(StepName.ID_NUMBER,), back=StepName.SUBJECT,
    hint=_("The mobile number you use must be registered in your own name (chính chủ) with your carrier."),
    numbered=False,
)
