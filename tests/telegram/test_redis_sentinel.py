"""`regbot run` on a `redis+sentinel://` REDIS_URL, its primary killed mid-dialog: the citizen in Telegram is
told at most once that their answers are kept, and carries on once a replica is promoted, with no restart.
The message sent right after the kill gets that notice (its retries gave up before the promotion) or, when the
promotion came within them, its own answer: both are right, and the test takes either.

Real processes throughout: the bot, the fake Bot API, and a primary, its replica and three sentinels
(tests/sentinel_process.py).
"""

from __future__ import annotations

from pathlib import Path

from tests.botprocess import ON_AIOGRAM, BotFactory
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE_E164
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.sentinel_process import SentinelSet
from tests.telegram.test_redis_faults import UNAVAILABLE_VI
from tests.telegram.test_telegram_bot import start_registration

pytestmark = ON_AIOGRAM


async def test_a_failover_mid_dialog_costs_the_citizen_one_notice_at_most(
    fake_api: FakeBotAPI, start_bot: BotFactory, tmp_path: Path,
) -> None:
    sentinels = await SentinelSet(tmp_path / "redis").start()
    bot = None
    citizen = TelegramCitizen(fake_api, user_id=4101)
    try:
        bot = await start_bot(env={"REDIS_URL": sentinels.url})
        await start_registration(citizen)
        for answer, next_step in ((ID_NUMBER, "Bước 2/8"), (NAME, "Bước 3/8")):
            await citizen.send_text(answer)
            await citizen.wait_for_reply(next_step)
        await sentinels.replicated()

        await sentinels.primary.kill()
        await citizen.send_text(BIRTH)
        answered = await citizen.wait_for_reply()
        if UNAVAILABLE_VI in answered["text"]:  # its retries gave up before the sentinels replaced the primary
            await sentinels.promoted()
            await citizen.send_text(BIRTH)  # "send your last message again"
            answered = await citizen.wait_for_reply("Bước 4/8")
        # Else the retries outlasted the failover (a quick one, on a busy machine): this answer is the message's own.
        assert "Bước 4/8" in answered["text"]
        await citizen.share_contact(PHONE_E164)
        await citizen.wait_for_reply("Bước 5/8")
        await citizen.press("Bỏ qua (không có email)")
        review = await citizen.wait_for_reply("Bước 6/8")
        assert ID_NUMBER in review["text"] and NAME in review["text"]  # the answers given before the kill
        assert sum(UNAVAILABLE_VI in message.get("text", "") for message in citizen.sent_to_me()) <= 1
        assert bot.process is not None and bot.process.returncode is None
        assert "Traceback" not in await bot.output()
    except Exception:
        if bot is not None:  # for whoever reads the failure: what the bot logged, and where the servers stand
            print(f"--- the bot's output ---\n{await bot.output()}")
        print("--- what the citizen got ---", *(message.get("text") for message in citizen.sent_to_me()), sep="\n")
        print(f"--- Redis ---\n{await sentinels.state()}")
        raise
    finally:
        await sentinels.stop()
