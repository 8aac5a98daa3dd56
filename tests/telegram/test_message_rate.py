"""Messages per minute per citizen, on each framework: a burst is told to wait once, the dialog stays put."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.storage.redis_store import message_window_ends
from tests.botprocess import ON_PTB, BotFactory
from tests.citizen import ID_NUMBER
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import ForumGroup, TelegramStaff
from tests.telegram.test_operations import metric, scrape_when
from tests.telegram.test_telegram_bot import start_registration

pytestmark = ON_PTB

# Updates are counted as they are handled, and a chat's replies are paced (tests/conftest.py FAST): the window
# must hold the 5 answers and the notice.
WINDOW = 2.0
RATE = {"MESSAGE_RATE_LIMIT": "5", "MESSAGE_RATE_WINDOW": str(WINDOW)}
TOO_FAST = "nhanh hơn"  # "Bạn đang gửi tin nhắn nhanh hơn tôi có thể trả lời…"


async def sent_at_least(api: FakeBotAPI, citizen: TelegramCitizen, count: int, timeout: float = 20.0) -> None:
    await api.wait_until(lambda: True if len(citizen.sent_to_me()) >= count else None, timeout)


async def window_over(redis: Redis) -> None:
    """Wait until every sender's window has ended, by Redis's clock (the count is kept in the dialog's value)."""
    async with asyncio.timeout(WINDOW + 5):
        while True:
            seconds, micros = await redis.time()
            dialogs = [key async for key in redis.scan_iter("regbot:*:dialog")]
            ends = [message_window_ends(await redis.get(key) or b"") for key in dialogs]
            if all(end <= seconds * 1000 + micros // 1000 for end in ends):
                return
            await asyncio.sleep(0.05)


async def test_a_burst_is_told_to_wait_once_and_the_dialog_stays_where_it_was(
    fake_api: FakeBotAPI, start_bot: BotFactory, redis: Redis,
) -> None:
    await start_bot(env=RATE)
    citizen = TelegramCitizen(fake_api, user_id=1101)
    await start_registration(citizen)  # 4 updates: within the limit
    await window_over(redis)  # whatever window they opened is over
    before = len(citizen.sent_to_me())

    for _ in range(8):  # 5 are answered, the 6th is told to wait, the last 2 are dropped
        await citizen.send_text("abc")
    notice = await citizen.wait_for_reply(TOO_FAST, timeout=20)
    assert "giây" in notice["text"] and "vẫn được giữ" in notice["text"]
    await sent_at_least(fake_api, citizen, before + 6)
    await window_over(redis)  # the window passes

    await citizen.send_text(ID_NUMBER)  # the dialog is still at step 1, and the citizen is heard again
    await citizen.wait_for_reply("Bước 2/8")
    burst = [message["text"] for message in citizen.sent_to_me()[before:-1]]
    assert sum(TOO_FAST in text for text in burst) == 1
    assert len(burst) == 6, burst
    assert all("Bước 1/8" in text for text in burst if TOO_FAST not in text)  # refused "abc", same question


async def test_an_english_dialog_is_told_in_english_behind_a_webhook(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    # Behind a webhook a chat's updates come one after another, each after the last one's reply: a longer window.
    bot = await start_bot(webhook=True, env={**RATE, "MESSAGE_RATE_WINDOW": "60"})
    citizen = TelegramCitizen(fake_api, user_id=1102, language_code="vi")
    await citizen.send_command("/language en")  # the dialog's language, not the Telegram app's, decides
    await citizen.wait_for_reply("I agree")
    for _ in range(6):
        await citizen.send_command("/status")
    notice = await citizen.wait_for_reply("faster than I can answer", timeout=20)
    assert "seconds" in notice["text"]
    samples = await scrape_when(bot, lambda samples: metric(samples, "regbot_rate_limited_total") >= 2)
    # /language and 4 /status are answered, the 5th /status is told to wait, the 6th dropped
    assert metric(samples, "regbot_rate_limited_total") == 2


async def test_help_desk_staff_are_not_limited(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    group = ForumGroup(fake_api)
    counter = TelegramStaff(fake_api, group, 601, "Minh").private  # their own chat with the bot, for /assist
    await start_bot(env={**RATE, "STAFF_CHAT_ID": str(group.chat_id), "TELEGRAM_GROUP_RATE": "600"})
    await start_registration(counter, "/assist")
    for _ in range(6):  # 10 messages in all: twice a citizen's limit
        await counter.send_text("abc")
    for _ in range(6):
        await counter.wait_for_reply("Bước 1/8", timeout=20)
    assert not any(TOO_FAST in message.get("text", "") for message in counter.sent_to_me())
