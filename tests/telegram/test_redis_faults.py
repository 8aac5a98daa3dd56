"""Redis stopped, killed and restarted under a running `regbot run`: the citizen is told, nothing is lost.

Each test runs its own redis-server process (tests/redis_process.py) with an
append-only file, points the bot at it and kills it for real.
"""

from __future__ import annotations

import json
from pathlib import Path

from redis.asyncio import Redis

from bot.storage import DialogKey
from bot.storage.redis_store import document_of
from tests.botprocess import ON_AIOGRAM, BotFactory
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE_E164
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.redis_process import RedisProcess
from tests.telegram.test_operations import get
from tests.telegram.test_telegram_bot import start_registration

pytestmark = ON_AIOGRAM

UNAVAILABLE_VI = "Các câu trả lời của bạn vẫn được giữ nguyên"
UNAVAILABLE_EN = "Your answers so far are kept"


async def stored_bytes(redis_url: str, fake_api: FakeBotAPI, citizen: TelegramCitizen) -> bytes:
    """The citizen's dialog document exactly as Redis holds it (after the ids of the updates handled)."""
    key = DialogKey(str(fake_api.bot_id), str(citizen.chat_id), str(citizen.user_id))
    redis = Redis.from_url(redis_url)
    try:
        raw = await redis.get(key.dialog)
        assert isinstance(raw, bytes), "no dialog in Redis"
        return document_of(raw)
    finally:
        await redis.aclose()


async def stored(redis_url: str, fake_api: FakeBotAPI, citizen: TelegramCitizen) -> dict[str, object]:
    """The readable part of the citizen's stored dialog (step, language, timers): the JSON before the first
    newline; the personal data after it is sealed."""
    raw = await stored_bytes(redis_url, fake_api, citizen)
    return dict(json.loads(raw.split(b"\n", 1)[0]))


async def test_redis_down_mid_dialog_is_explained_and_the_dialog_carries_on_when_it_returns(
    fake_api: FakeBotAPI, start_bot: BotFactory, tmp_path: Path,
) -> None:
    redis = await RedisProcess(tmp_path / "redis").start()
    try:
        bot = await start_bot(env={"REDIS_URL": redis.url})
        an = TelegramCitizen(fake_api, user_id=4001)  # Vietnamese Telegram
        ben = TelegramCitizen(fake_api, user_id=4002, first_name="Ben", language_code="en")
        await start_registration(an)
        await an.send_text(ID_NUMBER)
        await an.wait_for_reply("Bước 2/8")
        await ben.send_command("/start")
        await ben.wait_for_reply("I agree")

        await redis.kill()
        await an.send_text(NAME)
        refused = await an.wait_for_reply(UNAVAILABLE_VI)
        assert "Bước" not in refused["text"]
        await ben.press("I agree")
        await ben.wait_for_reply(UNAVAILABLE_EN)
        assert fake_api.calls_to("answerCallbackQuery")[-1].ok  # the pressed button stops spinning
        assert bot.process is not None and bot.process.returncode is None
        _status, metrics = await get(f"http://127.0.0.1:{bot.port}/metrics")  # for the operators' alert
        assert 'regbot_update_failures_total{kind="text"} 1.0' in metrics
        assert 'regbot_update_failures_total{kind="press"} 1.0' in metrics

        await redis.start()  # the same data, back by itself: no restart of the bot
        await an.send_text(NAME)
        await an.wait_for_reply("Bước 3/8")
        await ben.press("I agree")  # the same button, still on screen
        await ben.wait_for_reply("Citizen (Công dân)")
        assert (await stored(redis.url, fake_api, an))["step"] == "birth_date"
        assert (await stored(redis.url, fake_api, ben))["step"] == "subject"
        assert "Traceback" not in await bot.output()
    finally:
        await redis.stop()


async def test_a_redis_restart_between_two_messages_goes_unnoticed_and_keeps_every_answer(
    fake_api: FakeBotAPI, start_bot: BotFactory, tmp_path: Path,
) -> None:
    redis = await RedisProcess(tmp_path / "redis").start()
    try:
        await start_bot(webhook=True, env={"REDIS_URL": redis.url})
        citizen = TelegramCitizen(fake_api, user_id=4003)
        await start_registration(citizen)
        for answer, next_step in ((ID_NUMBER, "Bước 2/8"), (NAME, "Bước 3/8"), (BIRTH, "Bước 4/8")):
            await citizen.send_text(answer)
            await citizen.wait_for_reply(next_step)

        await redis.kill()  # a crash: only the append-only file survives
        await redis.start()
        await citizen.share_contact(PHONE_E164)
        await citizen.wait_for_reply("Bước 5/8")
        await citizen.press("Bỏ qua (không có email)")
        review = await citizen.wait_for_reply("Bước 6/8")
        assert ID_NUMBER in review["text"] and NAME in review["text"]  # decrypted from what survived
        assert not any(UNAVAILABLE_VI in message.get("text", "") for message in citizen.sent_to_me())
        assert (await stored(redis.url, fake_api, citizen))["step"] == "review"
        assert ID_NUMBER.encode() not in await stored_bytes(redis.url, fake_api, citizen)
    finally:
        await redis.stop()
