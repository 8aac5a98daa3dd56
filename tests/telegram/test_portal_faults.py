"""The portal failing, slow or losing its answers under a running `regbot run`: bounded retries, the
citizen told, and never a second registration or a second SMS (the submit's Idempotency-Key)."""

from __future__ import annotations

from tests.botprocess import ON_AIOGRAM, BotFactory
from tests.citizen import Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_redis_faults import stored
from tests.telegram.test_telegram_bot import answer_until_review, start_registration

pytestmark = ON_AIOGRAM

NOT_ANSWERING = "Cổng dịch vụ công hiện không phản hồi"


async def until_review(citizen: TelegramCitizen) -> None:
    await start_registration(citizen)
    await answer_until_review(citizen)


async def test_a_portal_5xx_is_retried_and_the_citizen_never_sees_it(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=5001)
    await until_review(citizen)
    await sandbox.arm_fault(operation="submit", status=503, times=2)
    await citizen.press("Đăng ký")
    await citizen.wait_for_reply("Bước 7/8")
    assert (await sandbox.calls())["submit"] == 3
    assert len(await sandbox.outbox()) == 1
    assert not any(NOT_ANSWERING in message.get("text", "") for message in citizen.sent_to_me())


async def test_lost_portal_answers_are_explained_and_the_retry_finds_the_first_registration(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=5002)
    await until_review(citizen)
    # The portal registers and texts the code each time, but every answer is a 503.
    await sandbox.arm_fault(operation="submit", status=503, applied=True, times=3)
    await citizen.press("Đăng ký")
    told = await citizen.wait_for_reply(NOT_ANSWERING)
    assert "giữ lại" in told["text"]  # "your answers are kept"
    assert (await sandbox.calls())["submit"] == 3  # bounded: three tries, then the citizen is told
    assert (await stored(redis_url, fake_api, citizen))["step"] == "review"

    await citizen.press("Đăng ký")  # later, the portal well again
    await citizen.wait_for_reply("Bước 7/8")
    assert len(await sandbox.outbox()) == 1  # four submits, one registration, one SMS
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")


async def test_a_portal_slower_than_its_timeout_is_given_up_on_and_the_code_it_sent_still_works(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str,
) -> None:
    await start_bot(env={"PORTAL_TIMEOUT": "1", "DIALOG_LOCK_TTL": "5"})
    citizen = TelegramCitizen(fake_api, user_id=5003)
    await until_review(citizen)
    await sandbox.arm_fault(operation="submit", delay=2, times=3)  # done at once, answered too late
    await citizen.press("Đăng ký")
    await citizen.wait_for_reply(NOT_ANSWERING)
    assert (await stored(redis_url, fake_api, citizen))["step"] == "review"
    await citizen.press("Đăng ký")
    otp = await citizen.wait_for_reply("Bước 7/8")
    assert "082****088" in otp["text"]
    assert len(await sandbox.outbox()) == 1
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")
    assert (await stored(redis_url, fake_api, citizen))["step"] == "password"
