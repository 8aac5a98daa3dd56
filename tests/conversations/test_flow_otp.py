"""The SMS code, over the pure core: wrong codes, attempts, expiry, "Gửi lại OTP" and its limits.

The sandbox portal's rules decide (5 tries, 5 minutes, 60 seconds between
sends, 3 sends per 10 minutes, a registration kept 30 minutes), on a
`ManualClock`: time passes only when a test says so.
"""

from __future__ import annotations

import pytest

from bot.portal.sandbox_state import SMS_TEXT
from conversations.dialog import StepName
from conversations.events import PasswordChosen
from conversations.replies import Effect
from tests.citizen import PASSWORD, PHONE_E164
from tests.clock import ManualClock
from tests.conversations.harness import Citizen


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


async def test_wrong_otp_counts_down_and_locks_after_five(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = citizen.last_code()
    await citizen.send(wrong_code(code))
    assert "That code is not right." in citizen.text and "Attempts left: 4" in citizen.text
    for _attempt in range(4):
        await citizen.send(wrong_code(code))
    assert "Too many wrong codes" in citizen.text and "Attempts left: 0" in citizen.text
    await citizen.send(code)  # even the right code no longer works
    assert "Too many wrong codes" in citizen.text and citizen.step() == StepName.OTP


async def test_every_code_typed_is_deleted_from_the_chat(citizen: Citizen) -> None:
    """A code, right or wrong, does not stay in the chat history."""
    await citizen.fill_until(StepName.OTP, "en")
    await citizen.send(wrong_code(citizen.last_code()))
    assert citizen.effects == (Effect.FORGET_MESSAGE,)
    await citizen.send(citizen.last_code())
    assert citizen.effects == (Effect.FORGET_MESSAGE,) and citizen.step() == StepName.PASSWORD


@pytest.mark.parametrize("sms", [
    SMS_TEXT,  # the sandbox portal's SMS, as the phone shows it
    "Mã xác thực của bạn là {code}. Hết hạn sau 5 phút",
    "Ma xac thuc cua ban la {code}. Het han sau 5 phut\nCong DVC quoc gia 1900 1234",
])
async def test_a_pasted_sms_is_read_and_deleted_from_the_chat(citizen: Citizen, sms: str) -> None:
    """Copying the whole SMS is what many people do: the code is read from it, and the SMS leaves the chat."""
    await citizen.fill_until(StepName.OTP, "en")
    await citizen.send(sms.format(code=wrong_code(citizen.last_code())))
    assert "That code is not right." in citizen.text and citizen.effects == (Effect.FORGET_MESSAGE,)
    await citizen.send(sms.format(code=citizen.last_code()))
    assert "Your phone number is confirmed." in citizen.text and citizen.step() == StepName.PASSWORD
    assert citizen.effects == (Effect.FORGET_MESSAGE,)


async def test_a_message_with_two_possible_codes_is_deleted_without_spending_an_attempt(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = citizen.last_code()
    await citizen.send(f"{wrong_code(code)} hay {code}?")
    assert "which number in that message is the code" in citizen.text and "Attempts left: 5" in citizen.text
    assert citizen.effects == (Effect.FORGET_MESSAGE,) and not citizen.changed


async def test_a_new_code_after_a_lockout_gives_the_attempts_back(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    for _attempt in range(5):
        await citizen.send(wrong_code(citizen.last_code()))
    clock.advance(61)
    await citizen.press("otp:resend")
    assert "A new code has been sent to 082****088" in citizen.text and "Attempts left: 5" in citizen.text
    await citizen.send(citizen.last_code())
    assert citizen.step() == StepName.PASSWORD


async def test_otp_typos_do_not_spend_attempts(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    for typo in ("12345", "1234567", "12a456"):
        await citizen.send(typo)
        assert "exactly 6 digits" in citizen.text and "Attempts left: 5" in citizen.text
        assert not citizen.changed


async def test_a_code_typed_with_spaces_or_full_width_digits_is_read(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = citizen.last_code()
    full_width = "".join(chr(ord(digit) - ord("0") + ord("０")) for digit in code)
    await citizen.send(f"{full_width[:3]} {full_width[3:]}")
    assert "Your phone number is confirmed." in citizen.text and citizen.step() == StepName.PASSWORD


async def test_otp_expires_after_five_minutes_and_a_new_code_works(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    code = citizen.last_code()
    clock.advance(301)
    await citizen.send(code)
    assert "This code has expired" in citizen.text and citizen.step() == StepName.OTP
    await citizen.press("otp:resend")
    await citizen.send(citizen.last_code())
    assert citizen.step() == StepName.PASSWORD


async def test_a_code_still_valid_at_four_minutes_is_accepted(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    clock.advance(299)
    await citizen.send(citizen.last_code())
    assert citizen.step() == StepName.PASSWORD


async def test_resend_waits_for_the_cooldown_and_sends_a_new_code(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    assert "You can ask for a new code in 60 seconds." in citizen.text
    old = citizen.last_code()
    clock.advance(25)
    await citizen.press("otp:resend")
    assert "Please wait 35 seconds before asking for a new code." in citizen.text
    assert "You can ask for a new code in 35 seconds." in citizen.text and not citizen.changed
    assert len(citizen.portal.sent_to(PHONE_E164)) == 1
    clock.advance(36)
    await citizen.send("12345")  # any repeated question tells the wait is over
    assert "You can ask for a new code now." in citizen.text
    await citizen.press("otp:resend")
    assert "A new code has been sent to 082****088. The old one no longer works." in citizen.text
    assert "You can ask for a new code in 60 seconds." in citizen.text
    assert len(citizen.portal.sent_to(PHONE_E164)) == 2
    new = citizen.last_code()
    if new != old:
        await citizen.send(old)
        assert "That code is not right." in citizen.text and citizen.step() == StepName.OTP
    await citizen.send(new)
    assert citizen.step() == StepName.PASSWORD


async def test_third_resend_within_ten_minutes_hits_the_send_limit(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    for _resend in range(2):
        clock.advance(61)
        await citizen.press("otp:resend")
    clock.advance(61)
    await citizen.press("otp:resend")
    assert "The portal has sent too many codes to this number. Please try again in 7 minutes." in citizen.text
    assert len(citizen.portal.sent_to(PHONE_E164)) == 3 and citizen.step() == StepName.OTP


async def test_a_registration_the_portal_forgot_goes_back_to_the_review_with_the_answers(
    citizen: Citizen, clock: ManualClock,
) -> None:
    """After 30 minutes the portal closes the registration: "Register" again gets a new code."""
    await citizen.fill_until(StepName.OTP, "en")
    before = citizen.dialog.data
    code = citizen.last_code()
    clock.advance(31 * 60)
    await citizen.send(code)
    assert "The portal has closed this registration" in citizen.text and "Please check your details" in citizen.text
    assert citizen.step() == StepName.REVIEW and citizen.dialog.data == before and citizen.dialog.otp is None
    assert citizen.effects == (Effect.FORGET_MESSAGE,)  # the code leaves the chat here too
    await citizen.press("review:submit")
    assert citizen.step() == StepName.OTP and len(citizen.portal.sent_to(PHONE_E164)) == 2
    await citizen.send(citizen.last_code())
    assert citizen.step() == StepName.PASSWORD


async def test_resend_for_a_forgotten_registration_goes_back_to_the_review(
    citizen: Citizen, clock: ManualClock,
) -> None:
    await citizen.fill_until(StepName.OTP, "en")
    clock.advance(31 * 60)
    await citizen.press("otp:resend")
    assert "The portal has closed this registration" in citizen.text and citizen.step() == StepName.REVIEW


async def test_a_password_too_late_for_the_portal_goes_back_to_the_review(
    citizen: Citizen, clock: ManualClock,
) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    clock.advance(31 * 60)
    await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    assert "The portal has closed this registration" in citizen.text
    assert citizen.step() == StepName.REVIEW and citizen.dialog.verified_registration is None
    await citizen.press("review:submit")
    assert citizen.step() == StepName.OTP
