"""Handing a citizen to a person and back, over the pure core (the Telegram side is in tests/telegram).

The modes: the citizen asks (/human, or the button in /help), the assistant
hands off when the citizen is stuck or locked out of the code, staff join,
resume at a step or close, and staff prepare a registration at a counter
that the citizen adopts on their own phone.
"""

from __future__ import annotations

import pytest

from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from conversations.dialog import Dialog, HandoffReason, Language, StepName
from conversations.events import Adopted, Event, Pressed, Said, SharedContact, StaffAction, Unsupported
from conversations.handoff import for_staff, relayed
from conversations.replies import Effect
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164
from tests.clock import ManualClock
from tests.conversations.harness import Citizen


async def test_human_hands_off_then_messages_go_to_staff_and_cancel_comes_back(helped: Citizen) -> None:
    await helped.fill_until(StepName.BIRTH_DATE, "en")
    await helped.send("/human")
    assert "passing you to a person" in helped.text and "/cancel" in helped.text
    assert helped.effects == (Effect.HANDED_OFF,)
    handed = helped.dialog
    assert handed.handoff is not None and handed.handoff.reason is HandoffReason.ASKED and handed.followed

    for message in ("I do not know my birth date", "01/01/1990"):  # even a valid answer is for staff now
        await helped.send(message)
        assert helped.replies == () and helped.effects == (Effect.RELAY,)
    for other in (Unsupported("photo"), SharedContact(PHONE_E164, own=True)):
        await helped.send(other)
        assert helped.effects == (Effect.RELAY,)
    assert helped.dialog == handed  # nothing the citizen wrote changed the dialog

    await helped.send("/back")
    assert "You are talking with the help desk" in helped.text and not helped.effects
    await helped.send("/cancel")
    assert "You are back with the assistant." in helped.text and "Step 3/8" in helped.text
    assert helped.effects == (Effect.BACK_WITH_ASSISTANT,)
    assert helped.dialog.handoff is None and helped.dialog.data.full_name == NAME
    assert helped.dialog.followed  # staff keep following the dialog until they close the case


@pytest.mark.parametrize("step", [StepName.CONSENT, StepName.ID_NUMBER, StepName.REVIEW, StepName.OTP,
                                  StepName.PASSWORD])
async def test_the_help_button_hands_off_at_any_step_and_keeps_the_place(helped: Citizen, step: StepName) -> None:
    await helped.fill_until(step, "en")
    await helped.send("/help")
    assert "help:human" in helped.buttons
    await helped.press("help:human")
    assert "I am passing you to a person from the help desk." in helped.text
    assert helped.step() == step and helped.dialog.handoff is not None


async def test_while_with_staff_the_language_can_still_be_switched(helped: Citizen) -> None:
    await helped.fill_until(StepName.PHONE, "en")
    await helped.send("/human")
    await helped.send("/language vi")
    assert "Từ giờ tôi sẽ trả lời bằng tiếng Việt." in helped.text and "bộ phận hỗ trợ" in helped.text
    assert helped.dialog.language == "vi" and helped.dialog.handoff is not None


async def test_delete_while_with_staff_forgets_the_case_too(helped: Citizen) -> None:
    await helped.fill_until(StepName.PHONE, "en")
    await helped.send("/human")
    await helped.send("/delete")
    assert "your conversation with the help desk" in helped.text and helped.effects == (Effect.ERASE,)
    assert helped.dialog == Dialog()


async def test_three_refused_answers_on_one_question_hand_off(helped: Citizen) -> None:
    await helped.fill_until(StepName.BIRTH_DATE, "en")
    await helped.send("yesterday")
    await helped.send("31/02/1990")
    assert helped.dialog.tries == 2 and helped.changed  # a counted refusal is stored
    await helped.send(BIRTH)  # a right answer starts the count again at the next question
    assert helped.step() == StepName.PHONE
    await helped.send("12345")
    await helped.send("not a phone")
    assert helped.step() == StepName.PHONE and helped.dialog.handoff is None
    await helped.send("☎️")
    assert "not a phone number" in helped.text and "hard to answer here" in helped.text
    assert helped.effects == (Effect.HANDED_OFF,)
    assert helped.dialog.handoff is not None and helped.dialog.handoff.reason is HandoffReason.STUCK


@pytest.mark.parametrize("sent", [Pressed("subject:business"), "/help", Unsupported("sticker")])
async def test_only_typed_answers_count_towards_being_stuck(helped: Citizen, sent: str | Event) -> None:
    """Choosing an explained alternative, asking for help or sending a sticker is not failing a question."""
    await helped.fill_until(StepName.SUBJECT, "en")
    for _attempt in range(4):
        await helped.send(sent)
    assert helped.dialog.handoff is None and helped.dialog.tries == 0


async def test_without_a_help_desk_refusals_are_not_counted(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PHONE, "en")
    before = citizen.dialog
    for _attempt in range(4):
        await citizen.send("not a phone")
        assert not citizen.changed
    assert citizen.dialog == before
    await citizen.send("/human")
    assert "No help desk" in citizen.text


async def test_codes_and_passwords_are_never_passed_to_staff(helped: Citizen) -> None:
    await helped.fill_until(StepName.OTP, "en")
    await helped.send("/human")
    for secret in (helped.last_code(), "1 2 3 4 5 6", PASSWORD):
        await helped.send(secret)
        assert "did not pass that on" in helped.text
        assert helped.effects == (Effect.FORGET_MESSAGE,)
    await helped.send("My code does not arrive, can you help?")
    assert helped.effects == (Effect.RELAY,)


async def test_too_many_wrong_codes_hand_off(helped: Citizen) -> None:
    await helped.fill_until(StepName.OTP, "en")
    wrong = f"{(int(helped.last_code()) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        assert helped.dialog.handoff is None
        await helped.send(wrong)
    assert helped.dialog.handoff is not None and helped.dialog.handoff.reason is HandoffReason.OTP_LOCKED
    assert "Too many wrong codes, so I am passing you to a person" in helped.text
    assert helped.effects == (Effect.FORGET_MESSAGE, Effect.HANDED_OFF)


async def test_staff_resume_at_a_step_asks_its_question_at_once(helped: Citizen) -> None:
    await helped.fill_until(StepName.EMAIL, "en")
    await helped.send("/human")
    await helped.send(StaffAction("resume", step=StepName.OTP))  # no code was ever sent: not possible
    assert helped.replies == () and helped.dialog.handoff is not None
    await helped.send(StaffAction("resume", step=StepName.REVIEW))  # the email is not given yet: still fine
    assert "back with the assistant" in helped.text and "Step 6/8" in helped.text
    await helped.send("/human")
    await helped.send(StaffAction("resume", step=StepName.BIRTH_DATE))
    assert "back with the assistant" in helped.text and "Step 3/8" in helped.text
    assert helped.effects == (Effect.BACK_WITH_ASSISTANT,)
    assert helped.step() is StepName.BIRTH_DATE and helped.dialog.handoff is None


async def test_staff_resume_at_the_code_keeps_the_code_that_was_sent(helped: Citizen) -> None:
    await helped.fill_until(StepName.OTP, "en")
    await helped.send("/human")
    await helped.send(StaffAction("resume", step=StepName.OTP))
    assert "Type the 6-digit code sent by SMS to 082****088" in helped.text
    await helped.send(helped.last_code())
    assert helped.step() == StepName.PASSWORD


async def test_after_the_code_staff_can_resume_only_at_the_password(helped: Citizen) -> None:
    await helped.fill_until(StepName.PASSWORD, "en")
    await helped.send("/human")
    await helped.send(StaffAction("resume", step=StepName.REVIEW))
    assert helped.replies == () and helped.dialog.handoff is not None
    await helped.send(StaffAction("resume", step=StepName.PASSWORD))
    assert "Last step" in helped.text and helped.reply.ask_password


async def test_staff_join_and_close(helped: Citizen) -> None:
    await helped.fill_until(StepName.FULL_NAME, "en")
    await helped.send(StaffAction("join", name="Lan"))  # a staff member steps in unasked
    assert "Lan from the help desk is now with you in this chat." in helped.text
    assert helped.dialog.handoff is not None and helped.dialog.handoff.reason is HandoffReason.STAFF
    await helped.send("hello?")
    assert helped.effects == (Effect.RELAY,)
    await helped.send(StaffAction("close"))
    assert "finished the conversation" in helped.text and "full name" in helped.text
    assert helped.dialog.handoff is None and not helped.dialog.followed


async def test_staff_joining_a_citizen_who_asked_keeps_why_they_asked(helped: Citizen) -> None:
    await helped.fill_until(StepName.PHONE, "en")
    await helped.send("/human")
    await helped.send(StaffAction("join"))
    assert "A staff member from the help desk is now with you in this chat." in helped.text
    assert helped.dialog.handoff is not None and helped.dialog.handoff.reason is HandoffReason.ASKED


async def test_closing_a_case_the_citizen_already_left_says_nothing(helped: Citizen) -> None:
    await helped.fill_until(StepName.PHONE, "en")
    await helped.send("/human")
    await helped.send("/cancel")
    await helped.send(StaffAction("close"))
    assert helped.replies == () and not helped.dialog.followed and helped.step() == StepName.PHONE


async def test_assisted_registration_is_handed_to_the_citizen_at_the_review(
    helped: Citizen, sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock,
) -> None:
    """Staff type the details at a counter; the code and the password stay with the citizen's own phone."""
    staff = helped
    await staff.send("/language en")
    await staff.send(StaffAction("assist"))
    assert "Assisted registration" in staff.text
    await staff.press("consent:agree")
    await staff.press("subject:citizen")
    await staff.press("method:mobile")
    for answer in (ID_NUMBER, NAME, BIRTH, PHONE, EMAIL):
        await staff.send(answer)
    assert "review:handover" in staff.buttons and "review:submit" not in staff.buttons
    await staff.press("review:submit")  # not offered to staff: refused
    assert "Press \"Register\" to submit" in staff.text and not staff.effects
    await staff.press("review:handover")
    assert "Here is the link for the citizen" in staff.text and staff.effects == (Effect.PREPARED,)
    assert sandbox_portal.sent_to(PHONE_E164) == []  # nothing was submitted from the counter
    prepared = staff.dialog
    assert prepared.assisted

    citizen = Citizen(sandbox_portal, catalogs, clock, help_desk=True)  # in Vietnamese, unlike the staff member
    await citizen.send(Adopted(None))
    assert "Đường dẫn này đã được dùng hoặc đã hết hạn." in citizen.text
    assert citizen.step() == StepName.CONSENT and not citizen.changed
    await citizen.send(Adopted(prepared))
    assert "Bước 6/8" in citizen.text and "review:submit" in citizen.buttons
    mine = citizen.dialog
    assert not mine.assisted and mine.step is StepName.REVIEW and mine.data == prepared.data and mine.language == "vi"
    await citizen.press("review:submit")
    assert citizen.step() == StepName.OTP  # the code goes to the citizen's phone, from their chat


async def test_an_expired_assisted_link_is_explained(helped: Citizen) -> None:
    await helped.start("en")
    await helped.send(Adopted(None))
    assert "This link has been used already or has expired." in helped.text and not helped.changed


@pytest.mark.parametrize(("language", "said"), [
    ("en", "This code is not right, has been used already or has expired. Check it and type it again"),
    ("vi", "Mã này không đúng, đã được dùng hoặc đã hết hạn. Hãy kiểm tra rồi gõ lại"),
])
async def test_a_wrong_or_spent_hand_over_code_is_explained_as_a_code(
    helped: Citizen, language: Language, said: str,
) -> None:
    """Typed on a channel without links (Zalo), the refusal speaks of the code the citizen typed, not of a link."""
    await helped.start(language)
    await helped.send(Adopted(None, by_code=True))
    assert said in helped.text and not helped.changed
    assert "link" not in helped.text.lower() and "đường dẫn" not in helped.text.lower()


async def test_an_assisted_registration_is_never_handed_off_for_refusals(helped: Citizen) -> None:
    """Staff typing at a counter are the help desk already: refusals are not counted, /human is refused."""
    await helped.send("/language en")
    await helped.send(StaffAction("assist"))
    for answer in (Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile")):
        await helped.send(answer)
    for _attempt in range(4):
        await helped.send("not a number")
    assert helped.dialog.handoff is None and helped.step() == StepName.ID_NUMBER
    await helped.send("/human")
    assert "No help desk" in helped.text and helped.dialog.handoff is None


async def test_a_code_or_password_inside_a_sentence_goes_to_staff_hidden(helped: Citizen) -> None:
    await helped.fill_until(StepName.OTP, "en")
    await helped.send("/human")
    for sentence, shown in ((f"mã {helped.last_code()} không được", "mã ****** không được"),
                            ("mk: Abc@12345 sai à?", "mk: ****** sai à?")):
        await helped.send(sentence)
        assert "hid your code or password" in helped.text
        assert helped.effects == (Effect.FORGET_MESSAGE, Effect.RELAY)  # deleted here, relayed hidden
        assert relayed(helped.dialog, Said(sentence)) and for_staff(helped.dialog, sentence) == shown
