"""The whole registration, as a citizen meets it: real Redis, the sandbox portal over real HTTP."""

from __future__ import annotations

from conversations.dialog import CONSENT_TEXT_VERSION, Consent, StepName
from conversations.events import PasswordChosen, Pressed, SharedContact, Unsupported
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164, Citizen, everything_in
from tests.clock import ManualClock


async def test_citizen_registers_from_consent_to_done(citizen: Citizen) -> None:
    await citizen.start("en")
    assert "Do you agree" in citizen.text
    assert await citizen.press("consent:agree")
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
    assert await citizen.step() == StepName.OTP
    await citizen.send(await citizen.sandbox.last_code())
    assert "confirmed" in citizen.text and citizen.reply.ask_password
    assert "Step 8/8" in citizen.text
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    assert "Your account is ready" in citizen.text and "********2345" in citizen.text
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.step == StepName.DONE and dialog.data.is_empty()


async def test_every_reply_repeats_the_question_so_the_citizen_knows_what_to_do(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    await citizen.send("31/04/1990")
    assert "date of birth" in citizen.text.lower() and "Step 3/8" in citizen.text
    assert await citizen.step() == StepName.BIRTH_DATE


async def test_typing_a_button_label_presses_it_in_either_language(citizen: Citizen) -> None:
    await citizen.start("en")
    await citizen.send("i agree")
    assert await citizen.step() == StepName.SUBJECT
    await citizen.send("cong dan")  # the Vietnamese label, typed without tone marks
    assert await citizen.step() == StepName.METHOD
    await citizen.send("Thuê bao di động")
    assert await citizen.step() == StepName.ID_NUMBER


async def test_business_and_other_methods_are_explained_and_the_citizen_stays(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.SUBJECT, "en")
    await citizen.press("subject:business")
    assert "SIM ký số" in citizen.text and "dichvucong.gov.vn" in citizen.text
    assert await citizen.step() == StepName.SUBJECT
    await citizen.press("subject:citizen")
    for method in ("sim", "usb", "bhxh", "post", "vneid"):
        await citizen.press(f"method:{method}")
        assert "https://dichvucong.gov.vn" in citizen.text
        assert await citizen.step() == StepName.METHOD


async def test_agreeing_keeps_a_consent_record_with_the_dialog(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.start("en")
    agreed_at = clock.advance(42)  # time to read the text
    await citizen.press("consent:agree")
    await citizen.send("/language vi")  # later switches do not change what was agreed to, in English
    dialog = await citizen.dialog()
    assert dialog is not None
    assert dialog.consent == Consent(given_at=agreed_at, text_version=CONSENT_TEXT_VERSION, language="en")


async def test_declining_consent_collects_nothing(citizen: Citizen) -> None:
    await citizen.start("en")
    await citizen.press("consent:decline")
    assert "Without your agreement" in citizen.text
    assert await citizen.step() == StepName.CONSENT
    await citizen.send(ID_NUMBER)
    assert await citizen.step() == StepName.CONSENT
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.consent is None


async def test_back_returns_to_the_previous_question_and_keeps_answers(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    await citizen.send("/back")
    assert await citizen.step() == StepName.FULL_NAME
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.data.full_name == NAME
    await citizen.send("/back")
    await citizen.send("/back")
    assert await citizen.step() == StepName.METHOD


async def test_editing_a_field_from_the_review_returns_to_the_review(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_full_name")
    assert await citizen.step() == StepName.FULL_NAME
    await citizen.send("Trần Thị Bình")
    assert await citizen.step() == StepName.REVIEW
    assert "Trần Thị Bình" in citizen.text and BIRTH not in citizen.text
    await citizen.press("review:edit_email")
    await citizen.press("email:skip")
    assert "Email: none" in citizen.text


async def test_back_while_editing_returns_to_the_review(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_phone")
    await citizen.send("/back")
    assert await citizen.step() == StepName.REVIEW


async def test_editing_the_id_asks_for_the_birth_date_again_when_they_disagree(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_id_number")
    await citizen.send("001085012345")  # born 1985, but 1990 was typed
    assert await citizen.step() == StepName.BIRTH_DATE
    await citizen.send("05/09/1985")
    assert await citizen.step() == StepName.REVIEW


async def test_cancel_wipes_personal_data_from_redis(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.EMAIL, "en")
    raw_before = await citizen.assistant.store._redis.get(citizen.key.dialog)
    assert raw_before and b"\n" in raw_before and ID_NUMBER.encode() not in raw_before  # sealed after a newline
    await citizen.send("/cancel")
    assert "deleted everything" in citizen.text
    raw = await citizen.assistant.store._redis.get(citizen.key.dialog)
    assert raw is not None and b"\n" not in raw  # no sealed personal part left
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.data.is_empty() and dialog.step == StepName.CONSENT
    assert dialog.language == "en"


async def test_existing_account_stops_at_the_id_with_forgot_password_guidance(citizen: Citizen) -> None:
    await citizen.sandbox.seed("accounts", id_number=ID_NUMBER)
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send(ID_NUMBER)
    assert "already exists" in citizen.text and "Quên mật khẩu" in citizen.text
    assert "Phản ánh kiến nghị" in citizen.text
    assert await citizen.step() == StepName.ID_NUMBER


async def test_phone_of_someone_else_is_refused_at_submit(citizen: Citizen) -> None:
    await citizen.sandbox.seed("subscribers", phone=PHONE_E164, id_number="079190000001")
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:submit")
    assert "chính chủ" in citizen.text
    assert await citizen.step() == StepName.REVIEW
    assert await citizen.sandbox.outbox() == []


async def test_shared_contact_must_be_the_citizens_own(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PHONE, "en")
    await citizen.send(SharedContact(PHONE_E164, own=False))
    assert "someone else's" in citizen.text
    await citizen.send(SharedContact("84821234088", own=True))
    assert await citizen.step() == StepName.EMAIL


async def test_wrong_otp_counts_down_and_locks_after_five(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = await citizen.sandbox.last_code()
    wrong = "000000" if code != "000000" else "111111"
    await citizen.send(wrong)
    assert "not right" in citizen.text and "Attempts left: 4" in citizen.text
    for _ in range(4):
        await citizen.send(wrong)
    assert "Too many wrong codes" in citizen.text
    await citizen.send(code)  # even the right code no longer works
    assert await citizen.step() == StepName.OTP


async def test_otp_typos_do_not_spend_attempts(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    await citizen.send("12345")
    assert "exactly 6 digits" in citizen.text and "Attempts left: 5" in citizen.text


async def test_otp_expires_after_five_minutes(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = await citizen.sandbox.last_code()
    clock.advance(301)
    await citizen.send(code)
    assert "expired" in citizen.text
    assert await citizen.step() == StepName.OTP


async def test_resend_waits_for_the_cooldown_and_sends_a_new_code(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    assert "in 60 seconds" in citizen.text
    old = await citizen.sandbox.last_code()
    await citizen.press("otp:resend")
    assert "Please wait 60 seconds" in citizen.text
    assert len(await citizen.sandbox.outbox()) == 1
    clock.advance(61)
    await citizen.press("otp:resend")
    assert "A new code has been sent" in citizen.text
    assert len(await citizen.sandbox.outbox()) == 2
    new = await citizen.sandbox.last_code()
    if new != old:
        await citizen.send(old)
        assert await citizen.step() == StepName.OTP
    await citizen.send(new)
    assert await citizen.step() == StepName.PASSWORD


async def test_third_resend_within_ten_minutes_hits_the_send_limit(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    for _ in range(2):
        clock.advance(61)
        await citizen.press("otp:resend")
    clock.advance(61)
    await citizen.press("otp:resend")
    assert "too many codes" in citizen.text
    assert len(await citizen.sandbox.outbox()) == 3


async def test_password_typed_in_chat_is_refused_and_deleted(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(PASSWORD)
    assert "do not type your password" in citizen.text
    assert citizen.last is not None and "forget_message" in citizen.last.effects
    assert await citizen.step() == StepName.PASSWORD


async def test_weak_or_mismatched_passwords_are_explained(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(PasswordChosen("abc", "abc"))
    assert await citizen.step() == StepName.PASSWORD
    assert "8" in citizen.text
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD + "x"))
    assert "not the same" in citizen.text
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    assert await citizen.step() == StepName.DONE


async def test_password_never_reaches_redis(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.DONE, "en")
    assert PASSWORD.encode() not in await everything_in(citizen.assistant.store._redis)


async def test_non_text_and_huge_messages_are_explained_without_moving(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.send(Unsupported("sticker"))
    assert "only read text" in citizen.text
    await citizen.send("A" * 10_000)
    assert "too long (10000 characters)" in citizen.text
    assert await citizen.step() == StepName.FULL_NAME


async def test_a_stale_button_says_the_question_moved_on(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.press("consent:agree")
    assert "moved on" in citizen.text and "full name" in citizen.text
    await citizen.press("full_name:forged")
    assert await citizen.step() == StepName.FULL_NAME


async def test_help_language_human_and_status_work_at_any_step(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    await citizen.send("/help")
    assert "/cancel" in citizen.text and "help:human" in citizen.buttons
    await citizen.send("/status")
    assert NAME in citizen.text and "Step 3/8" in citizen.text
    await citizen.press("help:human")  # the console has no help desk: the citizen is told, and goes on
    assert "No help desk" in citizen.text and "date of birth" in citizen.text
    await citizen.send("/language")
    assert set(citizen.buttons) == {"lang:vi", "lang:en"}
    assert await citizen.step() == StepName.BIRTH_DATE


async def test_unknown_command_is_answered(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await citizen.send("/frobnicate now")
    assert "/frobnicate" in citizen.text
    assert await citizen.step() == StepName.FULL_NAME


async def test_unknown_province_code_asks_to_double_check(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send("003090012345")
    assert await citizen.step() == StepName.ID_NUMBER
    assert "id_number:confirm" in citizen.buttons
    await citizen.press("id_number:confirm")
    assert await citizen.step() == StepName.FULL_NAME
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.data.id_number == "003090012345"


async def test_start_after_done_begins_a_new_registration(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.DONE, "en")
    await citizen.send("hello")
    assert "complete" in citizen.text
    await citizen.send("/start")
    assert await citizen.step() == StepName.CONSENT


async def test_double_tap_on_register_sends_one_code(citizen: Citizen) -> None:
    import asyncio

    await citizen.fill_until(StepName.REVIEW, "en")
    first, second = await asyncio.gather(
        citizen.assistant.handle(citizen.key, Pressed("review:submit")),
        citizen.assistant.handle(citizen.key, Pressed("review:submit")),
    )
    assert len(await citizen.sandbox.outbox()) == 1
    texts = [first.replies[-1].text, second.replies[-1].text]
    assert sum("moved on" in text for text in texts) == 1
