"""`regbot run` serving a Zalo OA alone, in its own process, against the fake OA, test Redis and the sandbox portal:
a citizen registers from the first message up to the password link, with a refused answer on the way, and sets
the password in Chromium with the pairing code; beside Telegram, both citizens are served by the same process."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from cryptography.fernet import Fernet
from playwright.async_api import Browser
from redis.asyncio import Redis

from bot.app.zalo_channel import INBOX_PURPOSE
from bot.channels.zalo.events import read_event
from bot.channels.zalo.inbox import ZaloInbox
from bot.channels.zalo.payloads import press_payload
from bot.storage.codec import load_keys
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer
from tests.botprocess import ON_AIOGRAM, BotFactory, BotProcess, free_port
from tests.browser import headless_chromium, needs_chromium
from tests.citizen import Sandbox, everything_in
from tests.conftest import FAST
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakezalo import APP_ID, FakeZaloOA
from tests.fakezalo.messages import Sent
from tests.telegram.test_telegram_bot import start_registration

CITIZEN = "3064715283921047659"  # a Zalo user id as Zalo gives them: 16 to 19 digits
PASSWORD = "Sao-Mai#2026"
DEADLINE = 60.0  # seconds for an answer, on a busy machine: a bound for a stuck test, not a speed goal


class ZaloCitizen:
    """A citizen in their Zalo app: each of their events signed and delivered, then the OA's answer awaited."""

    def __init__(self, oa: FakeZaloOA, redis: Redis, user: str = CITIZEN) -> None:
        self.oa, self.redis, self.user, self.seen = oa, redis, user, 0

    async def answers(self) -> list[Sent]:
        """The messages the OA sent since the last look, once the events delivered meanwhile are handled (the
        bot takes each out of its Redis inbox when done)."""
        async with asyncio.timeout(DEADLINE):
            while await self.redis.hlen(ZaloKeys(APP_ID).inbox):
                await asyncio.sleep(0.05)
        sent = self.oa.sent_to(self.user)[self.seen:]
        self.seen += len(sent)
        return sent

    async def told(self, words: str) -> Sent:
        """The first message from the last look on that holds `words`, once sent (for an answer to no event of
        the citizen's: the password form's)."""
        async with asyncio.timeout(DEADLINE):
            while True:
                for index, message in enumerate(self.oa.sent_to(self.user)[self.seen:], self.seen):
                    if words in message.text:
                        self.seen = index + 1
                        return message
                await asyncio.sleep(0.05)

    async def says(self, text: str) -> list[Sent]:
        await self.oa.text(self.user, text)
        return await self.answers()

    async def presses(self, button_id: str) -> list[Sent]:
        await self.oa.press(self.user, press_payload(button_id))
        return await self.answers()


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, as tests/webapp starts it."""
    async with headless_chromium() as browser:
        yield browser


def on_port(port: int) -> dict[str, str]:
    """Where a worker listens, and the password form's address there (this machine's Chromium opens it)."""
    return {"PORT": str(port), "WEBAPP_URL": f"http://127.0.0.1:{port}"}


def zalo_env(oa: FakeZaloOA, redis_url: str, sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    """`regbot run`'s settings for a Zalo OA alone, against the fakes (a fresh port, a fresh encryption key)."""
    return {**{key: value for key, value in os.environ.items()
               if not key.startswith(("REDIS", "PORTAL", "TELEGRAM", "ZALO"))},
            "REDIS_URL": redis_url, "PORTAL_URL": sandbox.url, "DATA_DIR": str(tmp_path / "data"),
            "HOST": "127.0.0.1", **on_port(free_port()), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO",
            "DIALOG_ENCRYPTION_KEY": Fernet.generate_key().decode(), **FAST, **oa.bot_settings()}


@pytest.fixture
async def zalo_bot(redis_url: str, sandbox: Sandbox, tmp_path: Path, redis: object) -> AsyncIterator[
        tuple[FakeZaloOA, BotProcess]]:
    async with FakeZaloOA() as oa:
        bot = await BotProcess(zalo_env(oa, redis_url, sandbox, tmp_path), webhook=False).start()
        oa.webhook_url = f"http://127.0.0.1:{bot.port}/zalo/webhook"
        try:
            yield oa, bot
        finally:
            await bot.stop()
            if os.environ.get("SHOW_BOT_LOG"):
                print(await bot.output())


async def test_a_citizen_registers_on_zalo_up_to_the_password_link(
    zalo_bot: tuple[FakeZaloOA, BotProcess], sandbox: Sandbox, redis: Redis,
) -> None:
    await up_to_the_password_link(ZaloCitizen(zalo_bot[0], redis), sandbox)


@needs_chromium
async def test_the_password_is_set_in_zalo_s_browser_once_the_pairing_code_comes_back_in_the_chat(
    zalo_bot: tuple[FakeZaloOA, BotProcess], sandbox: Sandbox, redis: Redis, chromium: Browser,
) -> None:
    citizen = ZaloCitizen(zalo_bot[0], redis)
    link = await up_to_the_password_link(citizen, sandbox)
    page = await chromium.new_page(viewport={"width": 390, "height": 844})
    await page.route("https://telegram.org/**", lambda route: route.abort())
    await page.goto(link)  # Zalo's in-app browser: no launch data
    await page.fill("#password", PASSWORD)
    await page.fill("#confirmation", PASSWORD)
    await page.click("#submit")
    code = (await (await page.wait_for_selector("#pairing-code")).inner_text()).strip()
    await citizen.told("trình duyệt")  # asked, in the chat, for the code the page shows
    await citizen.oa.text(CITIZEN, code)
    await page.wait_for_selector("#success p", timeout=DEADLINE * 1000)
    await citizen.told("đã sẵn sàng")  # the account is ready
    assert PASSWORD not in "\n".join(message.text for message in citizen.oa.sent)
    assert PASSWORD.encode() not in await everything_in(redis)
    logged = await zalo_bot[1].output()
    assert PASSWORD not in logged
    assert CITIZEN[:-3] not in logged and f"{'*' * (len(CITIZEN) - 3)}{CITIZEN[-3:]} moved" in logged  # masked


async def up_to_the_password_link(citizen: ZaloCitizen, sandbox: Sandbox) -> str:
    """From the follow to the password step, with a refused date on the way; answers the form's link."""
    oa = citizen.oa
    await oa.follow(CITIZEN)
    consent = await citizen.answers()
    assert [button.payload for button in consent[-1].buttons] == ["#btn:consent:agree", "#btn:consent:decline"]
    await citizen.presses("consent:agree")
    method = await citizen.presses("subject:citizen")
    assert "6. VNeID" in method[-1].text  # 6 choices: a numbered list
    assert "CCCD" in "\n".join(sent.text for sent in await citizen.says("1"))
    await citizen.says("001090012345")
    await citizen.says("Nguyễn Văn An")
    refused = await citizen.says("31/02/1990")
    assert "không có ngày 31" in "\n".join(sent.text for sent in refused)
    phone = await citizen.says("05/09/1990")
    assert phone[-1].kind == "request_user_info"
    await oa.submit_info(CITIZEN, "84821234088")
    await citizen.answers()
    review = await citizen.presses("email:skip")
    assert "Đăng ký" in review[-1].text
    await citizen.says("Đăng ký")
    password = await citizen.says(await sandbox.last_code())
    assert "chỉ dùng được một lần" in "\n".join(sent.text for sent in password)  # the typed code stays: single-use
    link = re.search(r"http://127\.0\.0\.1:\d+/webapp/password\?n=\S+", password[-1].text)
    assert link is not None
    return link.group()


@ON_AIOGRAM
async def test_telegram_and_zalo_citizens_are_served_by_one_process(
    start_bot: BotFactory, fake_api: FakeBotAPI, redis: Redis,
) -> None:
    async with FakeZaloOA() as oa:
        bot = await start_bot(env=oa.bot_settings())
        oa.webhook_url = f"http://127.0.0.1:{bot.port}/zalo/webhook"
        zalo = ZaloCitizen(oa, redis)
        await oa.follow(CITIZEN)
        await zalo.answers()
        await zalo.presses("consent:agree")
        telegram = TelegramCitizen(fake_api, user_id=1001)
        await start_registration(telegram)  # up to the ID question, on Telegram
        method = await zalo.presses("subject:citizen")
        assert "6. VNeID" in method[-1].text
        assert "Bước 1/8" in "\n".join(message.text for message in await zalo.says("1"))


async def test_an_event_a_killed_worker_kept_is_handled_by_the_next_worker_at_its_start(
    redis_url: str, sandbox: Sandbox, tmp_path: Path, redis: Redis,
) -> None:
    """A worker answered Zalo's 200 (the event is in the inbox, in its name) and was killed before handling it:
    the next `regbot run` takes it over as it starts, and the citizen gets their answer."""
    async with FakeZaloOA() as oa:
        env = zalo_env(oa, redis_url, sandbox, tmp_path)
        body = oa.event("follow", CITIZEN)
        oa.world.interacted(CITIZEN, oa.clock()).follows = True
        keys = load_keys(env["DIALOG_ENCRYPTION_KEY"], Path(env["DATA_DIR"]))
        killed = ZaloInbox(redis, Sealer(keys, INBOX_PURPOSE), ZaloKeys(APP_ID), "killed-worker")
        assert await killed.take(read_event(body), orjson.dumps(body))  # no heartbeat: that worker is gone
        bot = await BotProcess(env, webhook=False).start()
        try:
            consent = await ZaloCitizen(oa, redis).answers()
            assert consent[-1].buttons[0].payload == "#btn:consent:agree"
        finally:
            await bot.stop()
