"""/delete as a citizen meets it: everything the bot kept about them is gone, in Redis and at the help desk."""

from __future__ import annotations

import asyncio

import aiohttp
from redis.asyncio import Redis

from tests.botprocess import ON_AIOGRAM, BotFactory
from tests.citizen import PASSWORD, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_help_desk import Desk, audit_trail, desk, until_birth_date
from tests.telegram.test_telegram_bot import register_until_otp
from tests.webapp.conftest import form_button

pytestmark = ON_AIOGRAM

__all__ = ["desk"]


async def kept_about(redis: Redis, user_id: int) -> list[str]:
    """Every key whose name or value mentions the citizen's Telegram id (the audit stream holds none)."""
    found = []
    async for raw_key in redis.scan_iter(count=1000):
        key = raw_key.decode()
        kind = (await redis.type(key)).decode()
        value = await redis.get(key) if kind == "string" else await redis.hgetall(key) if kind == "hash" else b""
        if str(user_id) in key or str(user_id).encode() in repr(value).encode():
            found.append(key)
    return found


async def kept_once_settled(redis: Redis, user_id: int) -> list[str]:
    """What is still kept once the update itself has left the polling inbox (taken out after its replies)."""
    for _ in range(50):
        if not (kept := await kept_about(redis, user_id)):
            break
        await asyncio.sleep(0.1)
    return kept


async def test_delete_at_the_password_step_leaves_nothing_and_kills_the_link(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis: Redis,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1101)
    await register_until_otp(citizen)
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")
    url = form_button(citizen)
    assert await kept_about(redis, citizen.user_id)

    await citizen.send_command("/delete")
    await citizen.wait_for_reply("Tôi đã xóa mọi thông tin")
    assert await kept_once_settled(redis, citizen.user_id) == []
    nonce = url.split("n=")[1]
    async with aiohttp.ClientSession() as http, http.post(
        url.split("?")[0], json={"nonce": nonce, "password": PASSWORD, "confirmation": PASSWORD},
    ) as response:
        assert response.status == 410  # the link died with the dialog
    await citizen.send_command("/status")  # a new conversation, from the start
    await citizen.wait_for_reply("Tôi đồng ý")


async def test_delete_during_a_help_desk_case_closes_and_forgets_it(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk, redis: Redis, redis_url: str,
) -> None:
    await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=1102)
    await until_birth_date(citizen)
    await citizen.send_command("/human")
    topic = await desk.group.wait_for_topic("N. V. An")
    await desk.minh.send_text(topic, "Chào anh")
    await citizen.wait_for_reply("Chào anh")

    await citizen.send_command("/delete")  # works with staff too: not relayed, carried out
    await citizen.wait_for_reply("Tôi đã xóa mọi thông tin")
    note = await desk.minh.wait_for_post(topic, "/delete")
    number = note["text"].split("#")[1].split(" ")[0]
    await fake_api.wait_until(lambda: desk.group.topics()[topic]["closed"] or None, timeout=10)
    assert desk.group.topics()[topic]["name"] == f"#{number}"  # the masked name is gone too
    assert "/delete" not in [message.get("text") for message in desk.group.messages(topic)]  # not relayed
    for _ in range(50):  # the case is forgotten last, after the topic is closed
        if "erase" in await audit_trail(redis_url, number):
            break
        await asyncio.sleep(0.1)
    assert await kept_once_settled(redis, citizen.user_id) == []
