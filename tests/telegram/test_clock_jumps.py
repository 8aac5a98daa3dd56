"""Clocks that jump: the portal decides when its code expires and when a new one may be sent, Redis
decides when a link expires; the bot's own clock, moved for real, decides neither.

The bot's clock is moved with libfaketime (LD_PRELOAD into the `regbot run` process, its offset read
from a file the test rewrites); the portal's with the sandbox's test-only `POST /sandbox/clock`.
"""

from __future__ import annotations

import re
from pathlib import Path

import libfaketime

from tests.botprocess import ON_AIOGRAM, BotFactory
from tests.citizen import ID_NUMBER, PASSWORD, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_redis_faults import stored
from tests.telegram.test_telegram_bot import register_until_otp
from tests.webapp.conftest import form_button, launch_data
from tests.webapp.test_password_form_refusals import submit

pytestmark = ON_AIOGRAM

EXPIRED = "Mã này đã hết hạn"
NEW_CODE_SENT = "Mã mới đã được gửi"


def shifted_clock(offset_file: Path) -> dict[str, str]:
    """Environment that runs a process on the wall clock plus the offset written in `offset_file` ("+3600s")."""
    offset_file.write_text("+0s\n")
    _, preload = libfaketime.get_reload_information()
    return {**preload, "FAKETIME_TIMESTAMP_FILE": str(offset_file), "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "DONT_FAKE_MONOTONIC": "1"}


async def test_a_code_expired_by_the_portal_clock_is_refused_and_a_new_one_works(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=7001)
    await register_until_otp(citizen)
    code = await sandbox.last_code()
    await sandbox.set_clock(301)  # the portal's clock is past the code's 5 minutes; the bot's is not
    await citizen.send_text(code)
    await citizen.wait_for_reply(EXPIRED)
    assert (await stored(redis_url, fake_api, citizen))["step"] == "otp"
    await citizen.press("Gửi lại OTP")
    await citizen.wait_for_reply(NEW_CODE_SENT)
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")


async def test_the_bot_clock_jumping_ahead_expires_nothing_the_portal_and_redis_still_accept(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str, tmp_path: Path,
) -> None:
    offset = tmp_path / "bot-clock"
    await start_bot(env=shifted_clock(offset))
    citizen = TelegramCitizen(fake_api, user_id=7002)
    await register_until_otp(citizen)

    offset.write_text("+3600s\n")  # the bot's clock jumps an hour ahead (NTP, a resumed VM)
    await citizen.press("Gửi lại OTP")  # by the bot's clock the 60 s wait is long over; not by the portal's
    wait = await citizen.wait_for_reply("Vui lòng chờ")
    seconds = re.search(r"chờ (\d+) giây", wait["text"])
    assert seconds and 0 < int(seconds.group(1)) <= 60, wait["text"]
    assert len(await sandbox.outbox()) == 1
    await citizen.send_text(await sandbox.last_code())  # an hour "later", still valid where it counts
    await citizen.wait_for_reply("Bước 8/8")

    offset.write_text("+10800s\n")  # three hours: the 15-minute password link is stale by the bot's clock
    status, answer = await submit(form_button(citizen), nonce=form_button(citizen).split("n=")[1],
                                  init_data=launch_data(citizen, age=5 - 10800),  # signed at the bot's time:
                                  password=PASSWORD, confirmation=PASSWORD)  # only the link's TTL is under test
    assert (status, answer["ok"]) == (200, True), answer  # Redis, not the bot, keeps the link's time
    assert await sandbox.login(ID_NUMBER, PASSWORD)
    assert (await stored(redis_url, fake_api, citizen))["step"] == "done"
