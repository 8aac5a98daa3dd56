"""The sandbox portal's rules, driven through `PortalClient` over real HTTP with a manual clock."""

from __future__ import annotations

from dataclasses import replace

from bot.portal.client import PortalClient
from conversations.portal import AccountCreated, OtpSent, OtpVerified, PortalRefusal, RefusalCode
from tests.bot.portal.conftest import FORM, ID_NUMBER, OTHER_ID, PASSWORD, PHONE, Served
from tests.clock import ManualClock


async def sent(client: PortalClient, key: str = "key-1") -> OtpSent:
    answer = await client.submit(FORM, key)
    assert isinstance(answer, OtpSent), answer
    return answer


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_happy_path_creates_the_account(client: PortalClient, served: Served) -> None:
    assert await client.account_exists(ID_NUMBER) is False
    otp = await sent(client)
    assert (otp.masked_phone, otp.expires_in, otp.resend_in, otp.attempts_left) == ("082****088", 300, 60, 5)
    [sms] = await served.outbox()
    assert sms["phone"] == PHONE
    assert sms["text"].startswith("Ma xac thuc dang ky tai khoan Cong DVC quoc gia: ")
    assert await client.verify_otp(otp.registration_id, await served.last_code()) == OtpVerified(otp.registration_id)
    assert await client.set_password(otp.registration_id, PASSWORD) == AccountCreated(ID_NUMBER)
    assert await client.account_exists(ID_NUMBER) is True
    assert await client.set_password(otp.registration_id, PASSWORD) == PortalRefusal(
        RefusalCode.UNKNOWN_REGISTRATION)  # consumed
    assert await client.submit(FORM, "key-2") == PortalRefusal(RefusalCode.ACCOUNT_EXISTS)


async def test_sms_also_goes_to_the_callback(client: PortalClient, served: Served) -> None:
    await sent(client)
    [sms] = served.texted
    assert sms.phone == PHONE and sms.text.endswith(". Ma co hieu luc trong 5 phut.")
    assert await served.last_code() in sms.text


async def test_existing_account_is_refused(client: PortalClient, served: Served) -> None:
    await served.seed("accounts", id_number=ID_NUMBER)
    assert await client.account_exists(ID_NUMBER) is True
    assert await client.submit(FORM, "key-1") == PortalRefusal(RefusalCode.ACCOUNT_EXISTS)
    assert await served.outbox() == []


async def test_phone_registered_to_someone_else_is_refused(client: PortalClient, served: Served) -> None:
    await served.seed("subscribers", phone=PHONE, id_number=OTHER_ID)
    assert await client.submit(FORM, "key-1") == PortalRefusal(RefusalCode.PHONE_NOT_OWNED)
    assert await served.outbox() == []


async def test_phone_registered_to_the_same_id_is_fine(client: PortalClient, served: Served) -> None:
    await served.seed("subscribers", phone=PHONE, id_number=ID_NUMBER)
    await sent(client)


async def test_wrong_codes_spend_attempts_then_lock(client: PortalClient, served: Served) -> None:
    otp = await sent(client)
    code = await served.last_code()
    for left in (4, 3, 2, 1):
        assert await client.verify_otp(otp.registration_id, wrong(code)) == PortalRefusal(
            RefusalCode.OTP_INVALID, attempts_left=left)
    assert await client.verify_otp(otp.registration_id, wrong(code)) == PortalRefusal(RefusalCode.OTP_LOCKED)
    assert await client.verify_otp(otp.registration_id, code) == PortalRefusal(RefusalCode.OTP_LOCKED)


async def test_a_resend_unlocks_with_a_new_code(client: PortalClient, served: Served, clock: ManualClock) -> None:
    otp = await sent(client)
    for _ in range(5):
        await client.verify_otp(otp.registration_id, wrong(await served.last_code()))
    clock.advance(60)
    again = await client.resend_otp(otp.registration_id)
    assert isinstance(again, OtpSent) and again.attempts_left == 5
    assert await client.verify_otp(otp.registration_id, await served.last_code()) == OtpVerified(
        otp.registration_id)


async def test_code_expires_after_five_minutes(client: PortalClient, served: Served, clock: ManualClock) -> None:
    otp = await sent(client)
    code = await served.last_code()
    clock.advance(300)
    assert await client.verify_otp(otp.registration_id, code) == PortalRefusal(RefusalCode.OTP_EXPIRED)


async def test_code_still_works_just_before_expiry(client: PortalClient, served: Served, clock: ManualClock) -> None:
    otp = await sent(client)
    clock.advance(299)
    assert isinstance(await client.verify_otp(otp.registration_id, await served.last_code()), OtpVerified)


async def test_resend_waits_sixty_seconds(client: PortalClient, served: Served, clock: ManualClock) -> None:
    otp = await sent(client)
    clock.advance(18)
    assert await client.resend_otp(otp.registration_id) == PortalRefusal(RefusalCode.RESEND_COOLDOWN,
                                                                         retry_after=42)
    clock.advance(42)
    assert isinstance(await client.resend_otp(otp.registration_id), OtpSent)
    assert len(await served.outbox()) == 2


async def test_fourth_send_within_ten_minutes_hits_the_limit(
    client: PortalClient, served: Served, clock: ManualClock
) -> None:
    otp = await sent(client)  # t=0, the first send counts
    for _ in range(2):  # t=60, t=120
        clock.advance(60)
        assert isinstance(await client.resend_otp(otp.registration_id), OtpSent)
    clock.advance(60)  # t=180
    assert await client.resend_otp(otp.registration_id) == PortalRefusal(RefusalCode.SEND_LIMIT, retry_after=420)
    clock.advance(420)  # t=600: the first send has left the window
    assert isinstance(await client.resend_otp(otp.registration_id), OtpSent)
    assert len(await served.outbox()) == 4


async def test_resend_kills_the_old_code(client: PortalClient, served: Served, clock: ManualClock) -> None:
    otp = await sent(client)
    old = await served.last_code()
    clock.advance(60)
    await client.resend_otp(otp.registration_id)
    new = await served.last_code()
    if old != new:  # one chance in a million they coincide
        assert await client.verify_otp(otp.registration_id, old) == PortalRefusal(
            RefusalCode.OTP_INVALID, attempts_left=4)
    assert isinstance(await client.verify_otp(otp.registration_id, new), OtpVerified)


async def test_same_key_twice_is_one_registration_and_one_sms(client: PortalClient, served: Served) -> None:
    first = await sent(client, "same")
    assert await sent(client, "same") == first
    assert len(await served.outbox()) == 1
    other = await sent(client, "another")  # a new submission is a new registration
    assert other.registration_id != first.registration_id


async def test_same_key_with_other_data_is_refused(client: PortalClient) -> None:
    await sent(client, "same")
    changed = replace(FORM, full_name="Nguyễn Văn Ân")
    assert await client.submit(changed, "same") == PortalRefusal(RefusalCode.INVALID_DATA)


async def test_weak_password_is_refused(client: PortalClient, served: Served) -> None:
    otp = await sent(client)
    await client.verify_otp(otp.registration_id, await served.last_code())
    for weak in ("Sh0rt#a", "alllowercase#1", "ALLUPPER#1", "NoDigits#here", "NoSpecial123", "Aa#1" * 33):
        assert await client.set_password(otp.registration_id, weak) == PortalRefusal(RefusalCode.WEAK_PASSWORD)
    assert await client.set_password(otp.registration_id, "Sh0rt#ab") == AccountCreated(ID_NUMBER)  # 8 is enough


async def test_password_before_verification_is_refused(client: PortalClient) -> None:
    otp = await sent(client)
    assert await client.set_password(otp.registration_id, PASSWORD) == PortalRefusal(RefusalCode.NOT_VERIFIED)


async def test_verify_is_safe_to_repeat_after_success(client: PortalClient, served: Served) -> None:
    otp = await sent(client)
    code = await served.last_code()
    assert isinstance(await client.verify_otp(otp.registration_id, code), OtpVerified)
    assert isinstance(await client.verify_otp(otp.registration_id, code), OtpVerified)
    assert await client.resend_otp(otp.registration_id) == PortalRefusal(RefusalCode.INVALID_DATA)


async def test_registration_expires_after_thirty_minutes(
    client: PortalClient, served: Served, clock: ManualClock
) -> None:
    otp = await sent(client)
    clock.advance(30 * 60)
    assert await client.resend_otp(otp.registration_id) == PortalRefusal(RefusalCode.UNKNOWN_REGISTRATION)
    assert await client.verify_otp("no-such-id", "123456") == PortalRefusal(RefusalCode.UNKNOWN_REGISTRATION)
    fresh = await sent(client)  # the key is forgotten with the registration
    assert fresh.registration_id != otp.registration_id


async def test_malformed_code_spends_no_attempt(client: PortalClient, served: Served) -> None:
    otp = await sent(client)
    assert await client.verify_otp(otp.registration_id, "12 34") == PortalRefusal(RefusalCode.INVALID_DATA)
    assert await client.verify_otp(otp.registration_id, wrong(await served.last_code())) == PortalRefusal(
        RefusalCode.OTP_INVALID, attempts_left=4)


async def test_a_late_replay_answers_the_registration_as_it_stands(
    client: PortalClient, served: Served, clock: ManualClock,
) -> None:
    first = await sent(client, "same")
    await client.verify_otp(first.registration_id, wrong(await served.last_code()))
    clock.advance(100)
    again = await sent(client, "same")  # a retry whose first answer was lost 100 s ago
    assert again.registration_id == first.registration_id
    assert (again.expires_in, again.resend_in, again.attempts_left) == (200, 0, 4)
    assert len(await served.outbox()) == 1


async def test_a_replay_after_the_account_is_created_is_a_new_submission(client: PortalClient, served: Served) -> None:
    otp = await sent(client, "same")
    await client.verify_otp(otp.registration_id, await served.last_code())
    await client.set_password(otp.registration_id, PASSWORD)
    assert await client.submit(FORM, "same") == PortalRefusal(RefusalCode.ACCOUNT_EXISTS)
