"""The portal's form, one field per step: ID, name, birth date, phone, email.

Each step parses with the matching `conversations.fields` parser; a
refusal says exactly what is wrong and the question is asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from conversations.dialog import Dialog, StepName
from conversations.events import Event, Picture, PictureProblem, Pressed, Said, SharedContact
from conversations.fields import (
    parse_birth_date,
    parse_email,
    parse_full_name,
    parse_id_number,
    parse_phone,
)
from conversations.fields.card_code import parse_card_code, read_card_code
from conversations.forgetting import PHOTO_KEPT, forgotten
from conversations.parsing import ParseResult, Refused
from conversations.portal import PortalUnavailable
from conversations.replies import Button
from conversations.step import NEXT, Answer, Context, Move, Question, Stay, Step, refuse
from conversations.text import _

T = TypeVar("T")


def _type_it() -> Stay:
    return refuse(_("Please type your answer as a message."))


def _typed(dialog: Dialog, event: Event, field: str, parse: Callable[[str], ParseResult[T]]) -> Answer:
    """The shape of every typed field: parse, refuse with the parser's reason, or keep it and go on."""
    if not isinstance(event, Said):
        return _type_it()
    parsed = parse(event.text)
    if isinstance(parsed, Refused):
        return refuse(parsed.reason)
    return Move(NEXT, dialog.with_data(**{field: parsed.value}))


# -- id_number ------------------------------------------------------------------

ID_IS_RIGHT = Button("id_number:confirm", _("Yes, the number is right"))
ID_RETYPE = Button("id_number:retype", _("Type it again"))
CARD_IS_RIGHT = Button("id_number:card_right", _("Right"))
CARD_FIX = Button("id_number:card_fix", _("Change"))


def ask_id_number(dialog: Dialog, ctx: Context) -> Question:
    scanned = dialog.data.scanned
    if scanned:
        return Question(
            (_("From your card I read:\nID number: {id_number}\nFull name: {full_name}\nDate of birth: {birth_date}"
               "\n\nIs this right?", id_number=scanned.id_number, full_name=scanned.full_name,
               birth_date=scanned.birth_date),),
            ((CARD_IS_RIGHT, CARD_FIX),),
        )
    if dialog.data.unconfirmed_id_number:
        return Question(
            (_("Is {id_number} really your ID number?", id_number=dialog.data.unconfirmed_id_number),),
            ((ID_IS_RIGHT, ID_RETYPE),),
        )
    return ASK_ID_NUMBER


# The questions that never change, declared once rather than built for every answer (issue 18).
ASK_ID_NUMBER = Question((_("Type the number of your ID card: the 12-digit CCCD or the 9-digit CMND "
                            "(it will be your login name)."),
                          _("With a chip-based CCCD card you can instead send a photo of the QR code on its front: "
                            "it fills in your ID number, name and date of birth at once."),))


async def answer_id_number(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    scanned = dialog.data.scanned
    if event == Pressed(CARD_IS_RIGHT.id) and scanned:
        return await _take_id_number(
            dialog.with_data(full_name=scanned.full_name, birth_date=scanned.birth_date, scanned=None),
            scanned.id_number, ctx, then=StepName.PHONE,
        )
    if event == Pressed(CARD_FIX.id):
        return Stay((), dialog.with_data(scanned=None))
    if isinstance(event, Picture):
        return await _read_card(dialog, event, ctx)
    if event == Pressed(ID_IS_RIGHT.id) and dialog.data.unconfirmed_id_number:
        return await _take_id_number(dialog, dialog.data.unconfirmed_id_number, ctx)
    if event == Pressed(ID_RETYPE.id):
        return Stay((), dialog.with_data(unconfirmed_id_number=None))
    if not isinstance(event, Said):
        return _type_it()
    parsed = parse_id_number(event.text, ctx.today)
    if isinstance(parsed, Refused):
        return refuse(parsed.reason)
    if parsed.doubt is not None:
        return Stay((parsed.doubt,), dialog.with_data(unconfirmed_id_number=parsed.value, scanned=None))
    return await _take_id_number(dialog, parsed.value, ctx)


async def _read_card(dialog: Dialog, picture: Picture, ctx: Context) -> Answer:
    """The photo of a card's QR code: show what it gives, for "right" or "change"; the photo is deleted
    from the chat once read, whatever it held (where the channel cannot, the citizen is told)."""
    return forgotten(await _read(dialog, picture, ctx), ctx, PHOTO_KEPT)


async def _read(dialog: Dialog, picture: Picture, ctx: Context) -> Stay:
    reading = await picture.read()
    if reading.problem is not None:
        return Stay((PICTURE_PROBLEMS[reading.problem], TYPE_INSTEAD))
    codes = [code for code in map(read_card_code, reading.texts) if code is not None]
    if not codes:
        return Stay((NOT_A_CARD_CODE, TYPE_INSTEAD))
    parsed = parse_card_code(codes[0], ctx.today)
    if isinstance(parsed, Refused):
        return Stay((_("I read the QR code, but:"), parsed.reason, TYPE_INSTEAD))
    return Stay((), dialog.with_data(scanned=parsed.value, unconfirmed_id_number=None))


TYPE_INSTEAD = _("You can also simply type your ID number.")
NOT_A_CARD_CODE = _("That QR code is not the one on a CCCD card. The card's code is at the top right of the front "
                    "of a chip-based CCCD card.")
PICTURE_PROBLEMS = {
    PictureProblem.TOO_LARGE: _("That file is too large (over 10 MB). Please send the photo as a normal photo, "
                                "not as a file."),
    PictureProblem.NOT_AN_IMAGE: _("I could not open that file as a picture. Please send a photo."),
    PictureProblem.TOO_SMALL: _("That picture is too small to read a QR code from. Please take the photo closer, "
                                "so that the QR code fills a good part of it."),
    PictureProblem.NO_CODE: _("I could not find a readable QR code in that photo. Lay the card flat in good light, "
                              "hold the phone steady above the QR code, let it focus, and take the photo again."),
    PictureProblem.NOT_FETCHED: _("I could not download that photo. Please send it again in a moment."),
}


async def _take_id_number(
    dialog: Dialog, id_number: str, ctx: Context, then: StepName | None = None,
) -> Answer:
    try:
        exists = await ctx.portal.account_exists(id_number)
    except PortalUnavailable:
        exists = False  # the portal checks again when the form is submitted
    if exists:
        return refuse(ACCOUNT_EXISTS)
    dialog = dialog.with_data(id_number=id_number, unconfirmed_id_number=None)
    birth_date = dialog.data.birth_date
    if birth_date is not None:  # editing the ID must not leave a birth date that contradicts it
        recheck = parse_birth_date(birth_date.strftime("%d/%m/%Y"), ctx.today, id_number)
        if isinstance(recheck, Refused):
            return Move(StepName.BIRTH_DATE, dialog, say=(recheck.reason,))
    return Move(then if then is not None and not dialog.editing else NEXT, dialog)


ACCOUNT_EXISTS = _(
    "An account already exists on the portal for this ID number, so it cannot be registered again. "
    "If it is yours, open https://dichvucong.gov.vn, press \"Đăng nhập\" and use \"Quên mật khẩu\" "
    "(forgot password). If you did not create it, send a complaint under \"Phản ánh kiến nghị\" on "
    "the same site. You can also type a different ID number, or /cancel."
)

id_number = Step(
    StepName.ID_NUMBER, ask_id_number, answer_id_number,
    exits=(StepName.FULL_NAME, StepName.BIRTH_DATE, StepName.PHONE, StepName.REVIEW), back=StepName.METHOD,
    hint=_("The CCCD number is printed on the front of your citizen identity card; spaces and dots "
           "are fine. Or send a photo of the QR code at the top right of the front of a chip-based CCCD card: "
           "I read the number, your name and date of birth from it and show them to you; I keep nothing of the photo "
           "itself."),
    reads_pictures=True,
)

# -- full_name ------------------------------------------------------------------


ASK_FULL_NAME = Question((_("Type your full name exactly as on your ID card, with tone marks "
                            "(for example: Nguyễn Thị Hồng Nhung)."),))


def ask_full_name(dialog: Dialog, ctx: Context) -> Question:
    return ASK_FULL_NAME


async def answer_full_name(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    return _typed(dialog, event, "full_name", parse_full_name)


full_name = Step(
    StepName.FULL_NAME, ask_full_name, answer_full_name,
    exits=(StepName.BIRTH_DATE, StepName.REVIEW), back=StepName.ID_NUMBER,
    hint=_("Use Vietnamese letters with tone marks; spaces, hyphens and apostrophes (H'Hen Niê) are fine."),
)

# -- birth_date -------------------------------------------------------------------


ASK_BIRTH_DATE = Question((_("Type your date of birth as day/month/year, for example 05/09/1990."),))


def ask_birth_date(dialog: Dialog, ctx: Context) -> Question:
    return ASK_BIRTH_DATE


async def answer_birth_date(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    return _typed(dialog, event, "birth_date", lambda text: parse_birth_date(text, ctx.today, dialog.data.id_number))


birth_date = Step(
    StepName.BIRTH_DATE, ask_birth_date, answer_birth_date,
    exits=(StepName.PHONE, StepName.REVIEW), back=StepName.FULL_NAME,
    hint=_("Day, month and a four-digit year: 05/09/1990, 5/9/1990, 05-09-1990 and 05.09.1990 all work."),
)

# -- phone --------------------------------------------------------------------------


ASK_PHONE = Question(
    (_("Type the mobile number registered in your name (chính chủ), for example 0821234088, "
       "or share it with the button below."),),
    ask_contact=True,
)


def ask_phone(dialog: Dialog, ctx: Context) -> Question:
    return ASK_PHONE


async def answer_phone(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if isinstance(event, SharedContact):
        if not event.own:
            return refuse(_("That is someone else's contact. Please share your own number or type it."))
        event = Said(event.phone)
    return _typed(dialog, event, "phone", parse_phone)


phone = Step(
    StepName.PHONE, ask_phone, answer_phone,
    exits=(StepName.EMAIL, StepName.REVIEW), back=StepName.BIRTH_DATE,
    hint=_("The portal sends the confirmation code to this number, and it must be registered to your "
           "ID with your carrier."),
)

# -- email ----------------------------------------------------------------------------

NO_EMAIL = Button("email:skip", _("Skip (no email)"))


ASK_EMAIL = Question((_("Type your email address, or skip: it is optional."),), ((NO_EMAIL,),))


def ask_email(dialog: Dialog, ctx: Context) -> Question:
    return ASK_EMAIL


async def answer_email(dialog: Dialog, event: Event, ctx: Context) -> Answer:
    if event == Pressed(NO_EMAIL.id):
        return Move(NEXT, dialog.with_data(email=None))
    return _typed(dialog, event, "email", parse_email)


email = Step(
    StepName.EMAIL, ask_email, answer_email, exits=(StepName.REVIEW,), back=StepName.PHONE,
    hint=_("The portal may send notices to this address. You can leave it out."),
)
