"""The registration flow as a citizen meets it, over the pure core (tests/conversations/harness.py).

Every step in order, /back from each, editing from the review, and the
commands that work everywhere (/cancel, /help, /language, /status, /delete,
/start, /human) at each step where they matter. The Redis-level tests keep
only what needs Redis or HTTP (tests/test_registration_flow.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from conversations.dialog import CONSENT_TEXT_VERSION, LANGUAGES, Consent, Dialog, Language, StepName
from conversations.events import Event, LinkRevoked, PasswordChosen, Pressed, SharedContact, Unsupported
from conversations.portal import OtpSent, PortalRefusal, PortalUnavailable, Registration
from conversations.replies import Effect
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164
from tests.clock import ManualClock
from tests.conversations.harness import Citizen

ALL_STEPS = list(StepName)

# (step, its progress header, its question in English, in Vietnamese)
QUESTIONS: list[tuple[StepName, str | None, str, str]] = [
    (StepName.CONSENT, None, "Do you agree to this use of your personal data?", "Bạn có đồng ý cho sử dụng"),
    (StepName.SUBJECT, None, "Who is the account for?", "Bạn đăng ký tài khoản cho đối tượng nào?"),
    (StepName.METHOD, None, "How would you like to register?", "Bạn muốn đăng ký bằng cách nào?"),
    (StepName.ID_NUMBER, "1/8", "the 12-digit CCCD or the 9-digit CMND", "Nhập số CCCD (12 chữ số)"),
    (StepName.FULL_NAME, "2/8", "Type your full name exactly as on your ID card", "Nhập họ tên của bạn"),
    (StepName.BIRTH_DATE, "3/8", "Type your date of birth as day/month/year", "Nhập ngày sinh"),
    (StepName.PHONE, "4/8", "Type the mobile number registered in your name", "Nhập số di động"),
    (StepName.EMAIL, "5/8", "Type your email address, or skip", "Nhập địa chỉ email"),
    (StepName.REVIEW, "6/8", "Please check your details:", "Vui lòng kiểm tra lại thông tin"),
    (StepName.OTP, "7/8", "Type the 6-digit code sent by SMS to 082****088", "Nhập mã OTP gồm 6 chữ số"),
    (StepName.PASSWORD, "8/8", "Last step: choose the password", "Bước cuối: đặt mật khẩu"),
    (StepName.DONE, None, "Your account is ready!", "Tài khoản của bạn đã sẵn sàng!"),
]
QUESTION = {step: en for step, _progress, en, _vi in QUESTIONS}
PROGRESS = {"en": "Step", "vi": "Bước"}


def right_answer(citizen: Citizen, step: StepName) -> str | Event:
    answers: dict[StepName, str | Event] = {
        StepName.CONSENT: Pressed("consent:agree"), StepName.SUBJECT: Pressed("subject:citizen"),
        StepName.METHOD: Pressed("method:mobile"), StepName.ID_NUMBER: ID_NUMBER, StepName.FULL_NAME: NAME,
        StepName.BIRTH_DATE: BIRTH, StepName.PHONE: PHONE, StepName.EMAIL: EMAIL,
        StepName.REVIEW: Pressed("review:submit"), StepName.PASSWORD: PasswordChosen(PASSWORD, PASSWORD),
    }
    return citizen.last_code() if step is StepName.OTP else answers[step]


# -- every step, in order -------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_each_step_in_order_asks_its_own_question_with_its_progress(citizen: Citizen, language: Language) -> None:
    """The citizen always sees which question they are at, and how far along the eight numbered ones."""
    await citizen.start(language)
    for step, progress, en, vi in QUESTIONS:
        assert citizen.step() == step
        assert (en if language == "en" else vi) in citizen.text
        if progress is None:
            assert f"{PROGRESS[language]} " not in citizen.reply.paragraphs[0]
        else:
            assert f"{PROGRESS[language]} {progress}" in citizen.text
        if step is not StepName.DONE:
            await citizen.send(right_answer(citizen, step))


async def test_citizen_registers_from_consent_to_done(citizen: Citizen) -> None:
    """The whole happy path: the review shows what was typed, and the account really exists at the end."""
    await citizen.start("en")
    assert "Do you agree" in citizen.text
    await citizen.press("consent:agree")
    assert "Who is the account for?" in citizen.text
    await citizen.press("subject:citizen")
    await citizen.press("method:mobile")
    assert "Step 1/8" in citizen.text and "12-digit CCCD" in citizen.text
    await citizen.send("001 090 012 345")
    assert "Step 2/8" in citizen.text
    await citizen.send(NAME)
    await citizen.send(BIRTH)
    assert "Step 4/8" in citizen.text and citizen.reply.ask_contact
    await citizen.send(PHONE)
    await citizen.send(EMAIL)
    review = citizen.text
    assert "Step 6/8" in review
    for shown in (ID_NUMBER, NAME, "September 5, 1990", PHONE, EMAIL):
        assert shown in review
    await citizen.press("review:submit")
    assert "082****088" in citizen.text and "Attempts left: 5" in citizen.text
    assert citizen.step() == StepName.OTP
    await citizen.send(citizen.last_code())
    assert "confirmed" in citizen.text and citizen.reply.ask_password
    assert "Step 8/8" in citizen.text
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    assert "Your account is ready" in citizen.text and "********2345" in citizen.text
    assert citizen.step() == StepName.DONE and citizen.dialog.data.is_empty()
    assert citizen.portal.sandbox.login(ID_NUMBER, PASSWORD)


# -- consent, subject, method -------------------------------------------------------------


async def test_typing_a_button_label_presses_it_in_either_language(citizen: Citizen) -> None:
    await citizen.start("en")
    await citizen.send("i agree")
    assert citizen.step() == StepName.SUBJECT
    await citizen.send("cong dan")  # the Vietnamese label, typed without tone marks
    assert citizen.step() == StepName.METHOD
    await citizen.send("Thuê bao di động")
    assert citizen.step() == StepName.ID_NUMBER


async def test_agreeing_keeps_a_consent_record_with_the_dialog(citizen: Citizen, clock: ManualClock) -> None:
    """What was agreed to, when and in which language, whatever language the citizen switches to later."""
    await citizen.start("en")
    agreed_at = clock.advance(42)  # time to read the text
    await citizen.press("consent:agree")
    await citizen.send("/language vi")
    assert citizen.dialog.consent == Consent(given_at=agreed_at, text_version=CONSENT_TEXT_VERSION, language="en")


async def test_declining_consent_collects_nothing(citizen: Citizen) -> None:
    await citizen.start("en")
    await citizen.press("consent:decline")
    assert "Without your agreement" in citizen.text and "Do you agree" in citizen.text
    assert citizen.step() == StepName.CONSENT and not citizen.changed
    await citizen.send(ID_NUMBER)
    assert "Please choose one of the options" in citizen.text
    assert citizen.step() == StepName.CONSENT
    assert citizen.dialog.consent is None and citizen.dialog.data.is_empty()


@pytest.mark.parametrize(("step", "button", "explained"), [
    (StepName.SUBJECT, "subject:business", "SIM ký số"),
    (StepName.METHOD, "method:sim", "SIM ký số"),
    (StepName.METHOD, "method:usb", "USB token"),
    (StepName.METHOD, "method:bhxh", "BHXH code"),
    (StepName.METHOD, "method:post", "Bưu điện Việt Nam"),
    (StepName.METHOD, "method:vneid", "VNeID app"),
])
async def test_business_and_other_methods_are_explained_and_the_citizen_stays(
    citizen: Citizen, step: StepName, button: str, explained: str,
) -> None:
    """The portal's other ways in are explained with its link; the citizen may still pick another."""
    await citizen.fill_until(step, "en")
    await citizen.press(button)
    assert explained in citizen.text and "https://dichvucong.gov.vn" in citizen.text
    assert QUESTION[step] in citizen.text
    assert citizen.step() == step and not citizen.changed


# -- back ---------------------------------------------------------------------------------------

BACKS = [
    (StepName.SUBJECT, StepName.CONSENT), (StepName.METHOD, StepName.SUBJECT),
    (StepName.ID_NUMBER, StepName.METHOD), (StepName.FULL_NAME, StepName.ID_NUMBER),
    (StepName.BIRTH_DATE, StepName.FULL_NAME), (StepName.PHONE, StepName.BIRTH_DATE),
    (StepName.EMAIL, StepName.PHONE), (StepName.REVIEW, StepName.EMAIL), (StepName.OTP, StepName.REVIEW),
]


@pytest.mark.parametrize(("start", "previous"), BACKS, ids=[str(start) for start, _previous in BACKS])
async def test_back_from_each_step_asks_the_previous_question_and_keeps_the_answers(
    citizen: Citizen, start: StepName, previous: StepName,
) -> None:
    await citizen.fill_until(start, "en")
    before = citizen.dialog.data
    await citizen.send("/back")
    assert citizen.step() == previous and QUESTION[previous] in citizen.text
    assert citizen.dialog.data == before


async def test_back_steps_all_the_way_to_consent_keeping_every_answer(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    for _step in range(8):
        await citizen.send("/back")
    assert citizen.step() == StepName.CONSENT
    assert citizen.dialog.data.full_name == NAME and citizen.dialog.data.email == EMAIL


@pytest.mark.parametrize("step", [StepName.CONSENT, StepName.PASSWORD, StepName.DONE])
async def test_back_where_there_is_no_going_back_says_so_and_stays(citizen: Citizen, step: StepName) -> None:
    """Consent is the first question; past the OTP the code is spent; done is done."""
    await citizen.fill_until(step, "en")
    await citizen.send("/back")
    assert "There is no previous question" in citizen.text and QUESTION[step] in citizen.text
    assert citizen.step() == step and not citizen.changed


async def test_back_from_the_code_and_register_again_sends_no_second_sms(citizen: Citizen) -> None:
    """The same answers are the same registration: the code already sent still works."""
    await citizen.fill_until(StepName.OTP, "en")
    code = citizen.last_code()
    await citizen.send("/back")
    await citizen.press("review:submit")
    assert citizen.step() == StepName.OTP and len(citizen.portal.sent_to(PHONE_E164)) == 1
    await citizen.send(code)
    assert citizen.step() == StepName.PASSWORD


# -- editing from the review ------------------------------------------------------------------

EDITS = [
    ("review:edit_id_number", StepName.ID_NUMBER, "001090054321", "ID number (login name): 001090054321"),
    ("review:edit_full_name", StepName.FULL_NAME, "Trần Thị Bình", "Full name: Trần Thị Bình"),
    ("review:edit_birth_date", StepName.BIRTH_DATE, "06/09/1990", "Date of birth: September 6, 1990"),
    ("review:edit_phone", StepName.PHONE, "0912345678", "Phone: 0912345678"),
    ("review:edit_email", StepName.EMAIL, "binh.tran@gmail.com", "Email: binh.tran@gmail.com"),
    ("review:edit_email", StepName.EMAIL, Pressed("email:skip"), "Email: none"),
]


@pytest.mark.parametrize(("button", "field", "answer", "shown"), EDITS, ids=[f"{b}-{i}" for i, (b, *_r) in
                                                                             enumerate(EDITS)])
async def test_editing_a_field_from_the_review_returns_to_the_review(
    citizen: Citizen, button: str, field: StepName, answer: str | Event, shown: str,
) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press(button)
    assert citizen.step() == field and QUESTION[field] in citizen.text
    await citizen.send(answer)
    assert citizen.step() == StepName.REVIEW and shown in citizen.text
    assert not citizen.dialog.editing


@pytest.mark.parametrize("button", sorted({button for button, *_rest in EDITS}))
async def test_back_while_editing_returns_to_the_review_unchanged(citizen: Citizen, button: str) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    before = citizen.dialog
    await citizen.press(button)
    await citizen.send("/back")
    assert citizen.step() == StepName.REVIEW and citizen.dialog == before
    assert QUESTION[StepName.REVIEW] in citizen.text


async def test_a_refused_edit_asks_again_and_the_right_one_returns_to_the_review(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_phone")
    await citizen.send("024 3825 1234")
    assert "landline" in citizen.text and citizen.step() == StepName.PHONE and not citizen.changed
    await citizen.send("0912345678")
    assert citizen.step() == StepName.REVIEW


async def test_editing_the_id_asks_for_the_birth_date_again_when_they_disagree(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_id_number")
    await citizen.send("001085012345")  # born 1985, but 1990 was typed
    assert citizen.step() == StepName.BIRTH_DATE and "Digits 5–6" in citizen.text
    await citizen.send("05/09/1985")
    assert citizen.step() == StepName.REVIEW


async def test_editing_the_id_to_a_doubtful_one_asks_to_confirm_then_returns_to_the_review(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_id_number")
    await citizen.send("003090012345")
    await citizen.press("id_number:confirm")
    assert citizen.step() == StepName.REVIEW and "003090012345" in citizen.text


# -- commands at every step -------------------------------------------------------------------


@pytest.mark.parametrize("step", ALL_STEPS)
async def test_cancel_at_any_step_deletes_the_answers_and_starts_over_in_the_same_language(
    citizen: Citizen, step: StepName,
) -> None:
    await citizen.fill_until(step, "en")
    await citizen.send("/cancel")
    assert "Cancelled. I have deleted everything you told me." in citizen.text and "Do you agree" in citizen.text
    assert citizen.dialog == Dialog(language="en")


@pytest.mark.parametrize("step", ALL_STEPS)
async def test_delete_at_any_step_forgets_everything_even_the_language(citizen: Citizen, step: StepName) -> None:
    """/delete goes further than /cancel: the bot erases what it keeps beside the dialog, and the language."""
    await citizen.fill_until(step, "en")
    await citizen.send("/delete")
    assert "I have deleted everything I kept about you" in citizen.text
    assert citizen.effects == (Effect.ERASE,)
    await citizen.send("/start")
    assert citizen.dialog == Dialog() and "Bạn có đồng ý" in citizen.text


HINTS = {
    StepName.CONSENT: "Nothing is collected before you agree", StepName.SUBJECT: "Choose \"Citizen\"",
    StepName.METHOD: "registered in your own name", StepName.ID_NUMBER: "printed on the front",
    StepName.FULL_NAME: "spaces, hyphens and apostrophes", StepName.BIRTH_DATE: "four-digit year",
    StepName.PHONE: "sends the confirmation code to this number", StepName.EMAIL: "You can leave it out",
    StepName.REVIEW: "Nothing is sent to the portal until", StepName.OTP: "usually arrives within a minute",
    StepName.PASSWORD: "Open the secure form", StepName.DONE: "Your registration is complete.",
}


@pytest.mark.parametrize("step", ALL_STEPS)
async def test_help_explains_the_step_lists_the_commands_and_asks_again(citizen: Citizen, step: StepName) -> None:
    await citizen.fill_until(step, "en")
    await citizen.send("/help")
    assert HINTS[step] in citizen.text and "/cancel — stop and delete your answers" in citizen.text
    assert QUESTION[step] in citizen.text and citizen.buttons["help:human"] == "Talk to a person"
    assert citizen.step() == step and not citizen.changed


@pytest.mark.parametrize(("step", "en", "vi"), [(step, en, vi) for step, _progress, en, vi in QUESTIONS],
                         ids=[str(step) for step, *_rest in QUESTIONS])
async def test_language_switch_asks_the_same_question_in_the_other_language(
    citizen: Citizen, step: StepName, en: str, vi: str,
) -> None:
    await citizen.fill_until(step, "en")
    before = citizen.dialog
    await citizen.send("/language vi")
    assert "Từ giờ tôi sẽ trả lời bằng tiếng Việt." in citizen.text and vi in citizen.text
    assert citizen.dialog == before.model_copy(update={"language": "vi"})
    await citizen.press("lang:en")
    assert "From now on I will answer in English." in citizen.text and en in citizen.text
    assert citizen.dialog == before


@pytest.mark.parametrize("typed", ["/language", "/language fr"])
async def test_language_without_a_known_choice_offers_both(citizen: Citizen, typed: str) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.send(typed)
    assert "Choose your language:" in citizen.text
    assert citizen.buttons == {"lang:vi": "Tiếng Việt", "lang:en": "English"}
    assert citizen.step() == StepName.FULL_NAME and not citizen.changed


STATUS = [
    (StepName.CONSENT, ["You have not given any personal details yet."]),
    (StepName.ID_NUMBER, ["You have not given any personal details yet."]),
    (StepName.BIRTH_DATE, ["What you have told me so far:", f"ID number (login name): {ID_NUMBER}",
                           f"Full name: {NAME}", "Date of birth: —"]),
    (StepName.EMAIL, ["What you have told me so far:", "Date of birth: September 5, 1990", f"Phone: {PHONE}",
                      "Email: none"]),
    (StepName.REVIEW, ["Please check your details:", f"Email: {EMAIL}"]),
    (StepName.OTP, ["What you have told me so far:", f"Email: {EMAIL}"]),
    (StepName.DONE, ["You have not given any personal details yet."]),
]


@pytest.mark.parametrize(("step", "shown"), STATUS, ids=[str(step) for step, _shown in STATUS])
async def test_status_shows_what_was_given_so_far_and_asks_again(
    citizen: Citizen, step: StepName, shown: list[str],
) -> None:
    await citizen.fill_until(step, "en")
    await citizen.send("/status")
    for line in shown:
        assert line in citizen.text
    if step is StepName.REVIEW:  # the review's question is the summary itself
        assert "What you have told me so far" not in citizen.text
    assert QUESTION[step] in citizen.text and citizen.step() == step and not citizen.changed


@pytest.mark.parametrize(("step", "greeting"), [
    (StepName.CONSENT, "Welcome!"), (StepName.FULL_NAME, "Welcome back! Let us continue where you stopped."),
    (StepName.OTP, "Welcome back!"),
])
async def test_start_mid_registration_continues_where_the_citizen_stopped(
    citizen: Citizen, step: StepName, greeting: str,
) -> None:
    await citizen.fill_until(step, "en")
    await citizen.send("/start")
    assert greeting in citizen.text and QUESTION[step] in citizen.text
    assert citizen.step() == step and not citizen.changed


async def test_start_after_done_begins_a_new_registration(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.DONE, "en")
    await citizen.send("hello")
    assert "Your registration is complete. Send /start" in citizen.text and not citizen.changed
    await citizen.send("/start")
    assert citizen.step() == StepName.CONSENT and "Do you agree" in citizen.text


async def test_help_language_human_and_status_work_without_a_help_desk(citizen: Citizen) -> None:
    """Without a help desk the human button is still offered, and explains where else to ask."""
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    await citizen.send("/help")
    assert "/cancel" in citizen.text and "help:human" in citizen.buttons
    await citizen.press("help:human")
    assert "No help desk" in citizen.text and "Bộ phận một cửa" in citizen.text and "date of birth" in citizen.text
    await citizen.send("/human")
    assert "No help desk" in citizen.text
    assert citizen.step() == StepName.BIRTH_DATE and citizen.dialog.handoff is None


async def test_unknown_command_is_answered(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.send("/frobnicate now")
    assert "I do not know the command /frobnicate." in citizen.text and QUESTION[StepName.FULL_NAME] in citizen.text
    assert citizen.step() == StepName.FULL_NAME and not citizen.changed


# -- refusals that are not about a field ---------------------------------------------------------


async def test_every_reply_repeats_the_question_so_the_citizen_knows_what_to_do(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    await citizen.send("31/04/1990")
    assert "day 31 does not exist" in citizen.text and QUESTION[StepName.BIRTH_DATE] in citizen.text
    assert "Step 3/8" in citizen.text
    assert citizen.step() == StepName.BIRTH_DATE and not citizen.changed


@pytest.mark.parametrize(("sent", "explained"), [
    (Unsupported("sticker"), "I can only read text messages and buttons here."),
    ("A" * 10_000, "That message is too long (10000 characters)."),
    ("  \n ", "That message is empty."),
    (PasswordChosen(PASSWORD, PASSWORD), "This registration is not waiting for a password"),
    (Pressed("consent:agree"), "That button belongs to an earlier question, which has moved on."),
    (Pressed("full_name:forged"), "Please type your answer as a message."),
])
async def test_what_the_step_does_not_take_is_explained_without_moving(
    citizen: Citizen, sent: str | Event, explained: str,
) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.send(sent)
    assert explained in citizen.text and QUESTION[StepName.FULL_NAME] in citizen.text
    assert citizen.step() == StepName.FULL_NAME and not citizen.changed


# -- what the portal says ---------------------------------------------------------------------------


async def test_existing_account_stops_at_the_id_with_forgot_password_guidance(citizen: Citizen) -> None:
    citizen.portal.sandbox.add_account(ID_NUMBER)
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send(ID_NUMBER)
    assert "already exists" in citizen.text and "Quên mật khẩu" in citizen.text
    assert "Phản ánh kiến nghị" in citizen.text
    assert citizen.step() == StepName.ID_NUMBER and not citizen.changed


async def test_phone_of_someone_else_is_refused_at_submit_and_no_sms_goes_out(citizen: Citizen) -> None:
    citizen.portal.sandbox.add_subscriber(PHONE_E164, "079190000001")
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:submit")
    assert "chính chủ" in citizen.text and "edit the phone" in citizen.text
    assert citizen.step() == StepName.REVIEW and not citizen.changed
    assert citizen.portal.sent_to(PHONE_E164) == []


async def test_an_account_created_meanwhile_is_refused_at_submit(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    citizen.portal.sandbox.add_account(ID_NUMBER)
    await citizen.press("review:submit")
    assert "already exists" in citizen.text and citizen.step() == StepName.REVIEW


async def test_shared_contact_must_be_the_citizens_own(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PHONE, "en")
    await citizen.send(SharedContact(PHONE_E164, own=False))
    assert "someone else's" in citizen.text and not citizen.changed
    await citizen.send(SharedContact("84821234088", own=True))
    assert citizen.step() == StepName.EMAIL and citizen.dialog.data.phone == PHONE_E164


async def test_unknown_province_code_asks_to_double_check(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send("003090012345")
    assert "Is 003090012345 really your ID number?" in citizen.text
    assert citizen.step() == StepName.ID_NUMBER
    assert set(citizen.buttons) == {"id_number:confirm", "id_number:retype"}
    await citizen.press("id_number:confirm")
    assert citizen.step() == StepName.FULL_NAME and citizen.dialog.data.id_number == "003090012345"


async def test_retyping_a_doubtful_id_asks_for_the_number_again(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send("003090012345")
    await citizen.press("id_number:retype")
    assert "12-digit CCCD" in citizen.text and citizen.dialog.data.unconfirmed_id_number is None
    await citizen.send(ID_NUMBER)
    assert citizen.step() == StepName.FULL_NAME and citizen.dialog.data.id_number == ID_NUMBER


class SilentPortal(InProcessPortal):
    """The sandbox's rules, but the portal answers nothing at all (a timeout, a 5xx)."""

    async def account_exists(self, id_number: str) -> bool:
        raise PortalUnavailable

    async def submit(self, registration: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        raise PortalUnavailable


async def test_a_silent_portal_keeps_the_answers_for_a_later_try(catalogs: Catalogs, clock: ManualClock) -> None:
    """The ID check is skipped (the submit checks again); the submit is refused and may be retried."""
    citizen = Citizen(SilentPortal(clock), catalogs, clock)
    await citizen.fill_until(StepName.REVIEW, "en")  # the ID step went on without the portal's answer
    await citizen.press("review:submit")
    assert "The portal is not answering right now. Your answers are kept" in citizen.text
    assert citizen.step() == StepName.REVIEW and not citizen.changed


class NoMoreToday:
    """A registration quota that is used up until the next morning."""

    def __init__(self, again: datetime) -> None:
        self.again = again

    async def claim(self, registration: Registration, idempotency_key: str, now: datetime) -> datetime | None:
        return self.again


async def test_past_the_days_quota_the_citizen_is_told_when_and_no_sms_goes_out(
    sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock,
) -> None:
    again = clock() + timedelta(hours=3)  # 06:00 UTC is 13:00 in Vietnam
    citizen = Citizen(sandbox_portal, catalogs, clock, quota=NoMoreToday(again))
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:submit")
    assert "Too many registrations have been started today" in citizen.text
    assert "after 13:00 on November 26, 2026" in citizen.text
    assert citizen.step() == StepName.REVIEW and citizen.portal.sent_to(PHONE_E164) == []


# -- password and done -------------------------------------------------------------------------------


async def test_password_typed_in_chat_is_refused_and_deleted(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(PASSWORD)
    assert "do not type your password" in citizen.text and citizen.reply.ask_password
    assert citizen.effects == (Effect.FORGET_MESSAGE,)
    assert citizen.step() == StepName.PASSWORD


async def test_weak_or_mismatched_passwords_are_explained(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(PasswordChosen("abc", "abc"))
    assert "at least 8" in citizen.text and citizen.step() == StepName.PASSWORD
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD + "x"))
    assert "not the same" in citizen.text and citizen.step() == StepName.PASSWORD
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    assert citizen.step() == StepName.DONE


async def test_a_password_made_of_the_citizens_own_details_is_refused(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    own = f"An#{ID_NUMBER}"
    await citizen.send(PasswordChosen(own, own))
    assert citizen.step() == StepName.PASSWORD and not citizen.portal.sandbox.login(ID_NUMBER, own)


async def test_a_new_password_link_can_be_asked_for(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.press("password:new_link")
    assert "Here is a new link; the previous one no longer works." in citizen.text and citizen.reply.ask_password
    assert not citizen.changed


async def test_done_shows_only_the_masked_login_name_and_keeps_no_details(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.DONE, "en")
    assert "(********2345)" in citizen.text and ID_NUMBER not in citizen.text
    assert citizen.dialog.data.is_empty() and citizen.dialog.consent is None



async def test_a_link_someone_else_opened_is_replaced_and_the_citizen_warned(citizen: Citizen) -> None:
    """The password form cancels a link opened from another Telegram account; the flow says so, with a new one."""
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(LinkRevoked())
    assert "another Telegram account" in citizen.text and citizen.reply.ask_password
    assert not citizen.changed and citizen.step() == StepName.PASSWORD


async def test_a_revoked_link_is_silent_once_the_dialog_moved_on(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.send(LinkRevoked())
    assert not citizen.replies and not citizen.changed and citizen.step() == StepName.REVIEW
