"""A worker SIGKILLed while an update is in flight: the lock expires, the update comes back — from
Telegram in webhook mode, from the Redis inbox in polling mode — and the next worker handles it once;
the portal registers once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable

import pytest
from redis.asyncio import Redis

from bot.storage import DialogKey
from bot.storage.redis_store import remembers
from tests.botprocess import ON_PTB, TOKEN, BotFactory, BotProcess
from tests.citizen import Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_help_desk import Desk, desk, texts, until_birth_date, with_staff
from tests.telegram.test_portal_faults import until_review
from tests.telegram.test_redis_faults import stored

pytestmark = ON_PTB

__all__ = ["desk"]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """Telegram keeps re-delivering an unanswered update (here: for about a minute) and waits long for an answer."""
    async with FakeBotAPI(TOKEN, webhook_attempts=60, webhook_timeout=60) as api:
        yield api


async def killed_while_sending(worker: BotProcess, fake_api: FakeBotAPI, method: str, act: Awaitable[object]) -> None:
    """`act` (an update from a citizen) is handled and saved; then its `method` call waits out a flood limit,
    and the worker dies meanwhile."""
    fake_api.fail_next(method, 429, retry_after=60)
    await act
    await fake_api.wait_until(lambda: fake_api.calls_to(method, ok=False) or None, 10)
    worker.kill()
    await worker.process.wait()  # type: ignore[union-attr]


@pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])
async def test_an_update_in_flight_when_its_worker_is_killed_is_handled_once_after_the_restart(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str, webhook: bool,
) -> None:
    settings = {"PORTAL_TIMEOUT": "2", "DIALOG_LOCK_TTL": "8"}
    first = await start_bot(webhook=webhook, env=settings)
    citizen = TelegramCitizen(fake_api, user_id=6001)
    await until_review(citizen)
    await sandbox.arm_fault(operation="submit", delay=8)  # the portal is slow: the worker waits for it
    update_id = await citizen.press("Đăng ký")
    async with asyncio.timeout(10):
        while not (await sandbox.calls()).get("submit"):
            await asyncio.sleep(0.02)
    if not webhook:  # the poller has already confirmed it: Telegram will not serve it again
        await fake_api.wait_until(
            lambda: True if all(u["update_id"] != update_id for u in fake_api.pending_updates) else None, 10)
    first.kill()  # mid-handling: the dialog is locked, the portal has registered and texted the code
    await first.process.wait()  # type: ignore[union-attr]

    key = DialogKey(str(fake_api.bot_id), str(citizen.chat_id), str(citizen.user_id))
    redis = Redis.from_url(redis_url)
    try:
        assert await redis.exists(key.lock)  # the dead worker's lock, until its TTL runs out
        await start_bot(webhook=webhook, env=settings)  # another worker gets the update again
        await citizen.wait_for_reply("Bước 7/8", timeout=30)
        await fake_api.flush_webhook(timeout=10)
        assert not await redis.exists(key.lock)
        assert remembers(await redis.get(key.dialog), str(update_id))  # handled: in the dialog's value
        async with asyncio.timeout(10):  # out of the polling inbox once handled to the end
            while await redis.hlen(f"regbot:inbox:{fake_api.bot_id}"):
                await asyncio.sleep(0.05)
    finally:
        await redis.aclose()
    assert (await stored(redis_url, fake_api, citizen))["step"] == "otp"
    assert sum("Bước 7/8" in message.get("text", "") for message in citizen.sent_to_me()) == 1
    assert len(await sandbox.outbox()) == 1  # one registration, one SMS
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")


@pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])
async def test_a_message_for_staff_whose_worker_died_before_relaying_it_reaches_them_once(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk, webhook: bool,
) -> None:
    """The dialog is saved (the update counts as handled) before the message is copied to the topic."""
    first = await start_bot(webhook=webhook, env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=6002)
    topic = await with_staff(citizen, desk)

    await killed_while_sending(first, fake_api, "copyMessage", citizen.send_text("Tôi không nhận được mã SMS"))

    await start_bot(webhook=webhook, env=desk.env())  # the update comes back: from Telegram, or the inbox
    await desk.minh.wait_for_post(topic, "Tôi không nhận được mã SMS", timeout=30)
    await citizen.send_text("Mã vẫn chưa đến")  # and the relay carries on as before
    await desk.minh.wait_for_post(topic, "Mã vẫn chưa đến")
    assert texts(desk.minh.posts(topic)).count("Tôi không nhận được mã SMS") == 1


async def test_an_answer_whose_worker_died_before_sending_it_reaches_the_citizen_after_the_restart(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis_url: str,
) -> None:
    """The dialog is saved (the update counts as handled) before the answer is sent; the update stays in the
    polling inbox until then, so the next run knows the answer may not have gone out."""
    first = await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=6003)
    await until_review(citizen)
    await killed_while_sending(first, fake_api, "sendMessage", citizen.press("Đăng ký"))
    assert (await stored(redis_url, fake_api, citizen))["step"] == "otp"

    await start_bot()  # the next run finds the update in the inbox
    await citizen.wait_for_reply("Bước 7/8", timeout=30)
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")
    assert sum("Bước 7/8" in message.get("text", "") for message in citizen.sent_to_me()) == 1
    assert len(await sandbox.outbox()) == 1  # registered once


async def test_a_webhook_worker_killed_after_its_save_leaves_its_answer_to_another_worker(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    """Behind a load balancer Telegram's next try reaches another worker, which finds the update handled and
    its answer kept: it sends that answer once the dead worker's heartbeat has run out (a live one would be
    sending it itself: tests/telegram/test_workers.py)."""
    other = await start_bot(webhook=True)
    first = await start_bot(webhook=True)  # the webhook Telegram calls now
    secret = fake_api.calls_to("setWebhook")[-1].params["secret_token"]
    citizen = TelegramCitizen(fake_api, user_id=6005)
    await until_review(citizen)
    await killed_while_sending(first, fake_api, "sendMessage", citizen.press("Đăng ký"))
    (update,) = [update for update in fake_api.pending_updates if "callback_query" in update]

    assert await fake_api.deliver_webhook(other.webhook_url, update, secret) == 200
    await citizen.wait_for_reply("Bước 7/8", timeout=30)
    assert await fake_api.deliver_webhook(other.webhook_url, update, secret) == 200  # and once only
    code = citizen.text_update(await sandbox.last_code())
    assert await fake_api.deliver_webhook(other.webhook_url, code, secret) == 200
    await citizen.wait_for_reply("Bước 8/8")
    assert sum("Bước 7/8" in message.get("text", "") for message in citizen.sent_to_me()) == 1
    assert len(await sandbox.outbox()) == 1  # registered once


async def test_a_request_for_staff_whose_worker_died_before_answering_it_is_answered_and_reaches_staff(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk,
) -> None:
    """/human is saved (the citizen is waiting for a person) before the answer and before the case is opened."""
    first = await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=6004)
    await until_birth_date(citizen)
    await killed_while_sending(first, fake_api, "sendMessage", citizen.send_command("/human"))

    await start_bot(env=desk.env())
    await citizen.wait_for_reply("cán bộ", timeout=30)
    topic = await desk.group.wait_for_topic("N. V. An")
    await desk.minh.wait_for_post(topic, "🆘")
