"""Handing a citizen to a person and back, as the dialog sees it (the Telegram side is in tests/telegram)."""

from __future__ import annotations

import pytest

from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.storage import DialogStore
from conversations.dialog import HandoffReason, StepName
from conversations.events import Adopted, StaffAction, Unsupported
from conversations.replies import Effect
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, Citizen, Sandbox
from tests.clock import ManualClock


@pytest.fixture
def helped(store: DialogStore, portal: PortalClient, catalogs: Catalogs, clock: ManualClock,
           sandbox: Sandbox) -> Citizen:
    """A citizen of an assistant with a help desk behind it."""
    return Citizen(Assistant(store, portal, catalogs, clock, help_desk=True), sandbox)


def effects(citizen: Citizen) -> tuple[Effect, ...]:
    assert citizen.last is not None
    return citizen.last.effects


async def test_human_hands_off_then_messages_go_to_staff_and_cancel_comes_back(helped: Citizen) -> None:
    await helped.fill_until(StepName.BIRTH_DATE, "en")
    await helped.send("/human")
    assert "passing you to a person" in helped.text and "/cancel" in helped.text
    assert effects(helped) == (Effect.HANDED_OFF,)
    dialog = await helped.dialog()
    assert dialog is not None and dialog.handoff is not None and dialog.handoff.reason is HandoffReason.ASKED

    for message in ("I do not know my birth date", "01/01/1990"):  # even a valid answer is for staff now
        await helped.send(message)
        assert helped.last is not None and helped.last.replies == () and effects(helped) == (Effect.RELAY,)
    await helped.send(Unsupported("photo"))
    assert effects(helped) == (Effect.RELAY,)
    assert await helped.dialog() == dialog  # nothing the citizen wrote changed the dialog

    await helped.send("/back")
    assert "talking with the help desk" in helped.text
    await helped.send("/cancel")
    assert "back with the assistant" in helped.text and "Step 3/8" in helped.text
    assert effects(helped) == (Effect.BACK_WITH_ASSISTANT,)
    dialog = await helped.dialog()
    assert dialog is not None and dialog.handoff is None and dialog.data.full_name == NAME


async def test_three_refused_answers_on_one_question_hand_off(helped: Citizen) -> None:
    await helped.fill_until(StepName.BIRTH_DATE, "en")
    await helped.send("yesterday")
    await helped.send("31/02/1990")
    await helped.send(BIRTH)  # a right answer starts the count again at the next question
    assert await helped.step() == StepName.PHONE
    await helped.send("12345")
    await helped.send("not a phone")
    assert await helped.step() == StepName.PHONE
    await helped.send("☎️")
    assert "hard to answer here" in helped.text
    assert effects(helped) == (Effect.HANDED_OFF,)
    dialog = await helped.dialog()
    assert dialog is not None and dialog.handoff is not None and dialog.handoff.reason is HandoffReason.STUCK


async def test_without_a_help_desk_refusals_are_not_counted(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.PHONE, "en")
    before = await citizen.dialog()
    for _attempt in range(4):
        await citizen.send("not a phone")
    assert await citizen.dialog() == before
    await citizen.send("/human")
    assert "No help desk" in citizen.text


async def test_codes_and_passwords_are_never_passed_to_staff(helped: Citizen) -> None:
    await helped.fill_until(StepName.REVIEW, "en")
    await helped.press("review:submit")
    await helped.send("/human")
    for secret in (await helped.sandbox.last_code(), "1 2 3 4 5 6", PASSWORD):
        await helped.send(secret)
        assert "did not pass that on" in helped.text
        assert effects(helped) == (Effect.FORGET_MESSAGE,)
    await helped.send("My code does not arrive, can you help?")
    assert effects(helped) == (Effect.RELAY,)


async def test_too_many_wrong_codes_hand_off(helped: Citizen) -> None:
    await helped.fill_until(StepName.REVIEW, "en")
    await helped.press("review:submit")
    code = await helped.sandbox.last_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        await helped.send(wrong)
        dialog = await helped.dialog()
        assert dialog is not None
        if dialog.handoff is not None:
            break
    assert dialog.handoff is not None and dialog.handoff.reason is HandoffReason.OTP_LOCKED
    assert "Too many wrong codes" in helped.text
    assert Effect.FORGET_MESSAGE in effects(helped) and Effect.HANDED_OFF in effects(helped)


async def test_staff_resume_at_a_step_asks_its_question_at_once(helped: Citizen) -> None:
    await helped.fill_until(StepName.EMAIL, "en")
    await helped.send("/human")
    await helped.send(StaffAction("resume", step=StepName.OTP))  # no code was ever sent: not possible
    assert helped.last is not None and helped.last.replies == ()
    assert (await helped.dialog()).handoff is not None  # type: ignore[union-attr]
    await helped.send(StaffAction("resume", step=StepName.BIRTH_DATE))
    assert "back with the assistant" in helped.text and "Step 3/8" in helped.text
    dialog = await helped.dialog()
    assert dialog is not None and dialog.step is StepName.BIRTH_DATE and dialog.handoff is None


async def test_staff_join_and_close(helped: Citizen) -> None:
    await helped.fill_until(StepName.FULL_NAME, "en")
    await helped.send(StaffAction("join", name="Lan"))  # a staff member steps in unasked
    assert "Lan from the help desk" in helped.text
    dialog = await helped.dialog()
    assert dialog is not None and dialog.handoff is not None and dialog.handoff.reason is HandoffReason.STAFF
    await helped.send(StaffAction("close"))
    assert "finished the conversation" in helped.text and "full name" in helped.text
    assert (await helped.dialog()).handoff is None  # type: ignore[union-attr]


async def test_assisted_registration_is_handed_to_the_citizen_at_the_review(
    helped: Citizen, store: DialogStore, portal: PortalClient, catalogs: Catalogs, clock: ManualClock,
    sandbox: Sandbox,
) -> None:
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
    assert effects(staff) == ()
    await staff.press("review:handover")
    assert effects(staff) == (Effect.PREPARED,)
    prepared = await staff.dialog()
    assert prepared is not None and prepared.assisted

    citizen = Citizen(Assistant(store, portal, catalogs, clock, help_desk=True), sandbox, user="77")
    await citizen.send("/language en")
    await citizen.send(Adopted(None))
    assert "used already or has expired" in citizen.text
    await citizen.send(Adopted(prepared))
    assert "prepared your registration" in citizen.text and "review:submit" in citizen.buttons
    mine = await citizen.dialog()
    assert mine is not None and not mine.assisted and mine.step is StepName.REVIEW and mine.data == prepared.data
    await citizen.press("review:submit")
    assert await citizen.step() == StepName.OTP  # the code goes to the citizen's phone, from their chat
