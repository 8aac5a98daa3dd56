"""One `regbot run` serving a Zalo OA and a Telegram bot, against the fake OA, the fake Bot API, test Redis and the
sandbox portal, shared by this module's tests: a Zalo citizen registers in English from the first message to "your
account is ready" (the card's QR photo, two invalid answers, the OTP, the password in Chromium with the pairing code)
while a Telegram citizen registers in Vietnamese; a Zalo citizen's "xóa dữ liệu" leaves nothing of them in Redis."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_asyncio
from redis.asyncio import Redis

from bot.portal.server import start_sandbox
from tests.botprocess import TOKEN, BotProcess, free_port
from tests.browser import headless_chromium, needs_chromium
from tests.cccd_images import card_payload, card_photo
from tests.citizen import PASSWORD, Sandbox, everything_in
from tests.clock import ManualClock
from tests.conftest import START
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakezalo import FakeZaloOA
from tests.fakezalo.messages import Sent
from tests.telegram.test_telegram_bot import register_until_otp
from tests.webapp.conftest import choose_password
from tests.zalo.redis_keys import keys_naming
from tests.zalo.test_regbot_run import DEADLINE, ZaloCitizen, zalo_env

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Zalo's user ids are long numbers: ones this long are found in no other key by chance when Redis is scanned.
ANH = "5170342286197701"  # registers in English
BINH = "5170342286197702"  # deletes their data
MAI_ID = "079195012345"  # Hồ Chí Minh City, a woman born in 1995: not the Telegram citizen's card
MAI_CARD = card_payload(MAI_ID, "", "Trần Thị Mai", "12031995", "Nữ", "Số 5 Lê Lợi, Quận 1, TP Hồ Chí Minh",
                        "01072022")
MAI_PHONE = "84912345678"  # as Zalo's form gives it
TELEGRAM_ID = "001090012345"  # tests.citizen's sample, the Telegram citizen's


@dataclass
class Served:
    bot: BotProcess
    oa: FakeZaloOA
    telegram: FakeBotAPI
    sandbox: Sandbox
    redis: Redis


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    """`regbot run` with both channels (python-telegram-bot polling Telegram), started once for the module."""
    runner, url = await start_sandbox("127.0.0.1", 0, clock=ManualClock(START))
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    async with Sandbox(url) as sandbox, FakeBotAPI(TOKEN) as telegram, FakeZaloOA() as oa:
        port = free_port()
        env = {**zalo_env(oa, redis_url, sandbox, tmp_path_factory.mktemp("both")), "PORT": str(port),
               "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": telegram.base_url, "BOT_FRAMEWORK": "ptb",
               "WEBAPP_URL": f"https://127.0.0.1:{port}"}  # a TLS front's address: the bot serves it on PORT
        bot = await BotProcess(env, webhook=False).start()
        oa.webhook_url = f"http://127.0.0.1:{port}/zalo/webhook"
        try:
            yield Served(bot, oa, telegram, sandbox, redis)
        finally:
            await bot.stop()
    await runner.cleanup()
    await redis.aclose()


def texts(sent: list[Sent]) -> str:
    return "\n".join(message.text for message in sent)


async def logs_in(sandbox: Sandbox, id_number: str) -> bool:
    """Whether the sandbox portal's login form takes this ID number with the password chosen."""
    async with aiohttp.ClientSession() as session, session.post(
            f"{sandbox.url}/sandbox/login", json={"id_number": id_number, "password": PASSWORD}) as response:
        return response.status == 200


@needs_chromium
async def test_a_zalo_citizen_registers_in_english_while_a_telegram_citizen_registers_in_vietnamese(
    served: Served,
) -> None:
    telegram = TelegramCitizen(served.telegram, user_id=4001)
    await register_until_otp(telegram)  # on Telegram, up to the code
    zalo = ZaloCitizen(served.oa, served.redis, ANH)
    await served.oa.follow(ANH)
    assert "Tôi đồng ý" in [button.title for button in (await zalo.answers())[-1].buttons]
    english = await zalo.says("english")  # Zalo tells no language: the command word chooses it
    assert "I agree" in [button.title for button in english[-1].buttons]
    await zalo.presses("consent:agree")
    await zalo.presses("subject:citizen")
    assert "Step 1/8" in texts(await zalo.says("Mobile subscriber"))  # a label of the numbered list, typed
    refused = await zalo.says("0O1O95012345")  # letters O for zeros
    assert "has only digits (0–9)" in texts(refused) and "Step 1/8" in texts(refused)

    await served.oa.image(ANH, card_photo(MAI_CARD))  # the card's QR code, photographed
    read = texts(await zalo.answers())
    assert all(shown in read for shown in (MAI_ID, "Trần Thị Mai", "Is this right?"))
    assert "does not let me remove your photo" in read  # it stays in the chat, and they are told so
    phone = await zalo.presses("id_number:card_right")
    assert "Step 4/8" in texts(phone) and phone[-1].kind == "request_user_info"
    await served.oa.submit_info(ANH, "842838221234")  # a Hồ Chí Minh City landline, through Zalo's form
    assert "This is a landline number" in texts(await zalo.answers())
    await served.oa.submit_info(ANH, MAI_PHONE)
    await zalo.answers()
    await zalo.presses("email:skip")
    assert "Step 7/8" in texts(await zalo.says("Register"))
    code = await served.sandbox.last_code("+" + MAI_PHONE)
    password = texts(await zalo.says(code))
    assert "A code works only once and expires within minutes." in password and "deleted" not in password
    assert code not in password  # never echoed
    link = re.search(r"https://127\.0\.0\.1:\d+/webapp/password\?n=\S+", password)
    assert link is not None

    async with headless_chromium() as browser:  # Zalo's in-app browser: no launch data, so a pairing code
        page = await browser.new_page(viewport={"width": 390, "height": 844})
        await page.route("https://telegram.org/**", lambda route: route.abort())
        await page.goto(link.group().replace("https://", "http://", 1))  # as the TLS front passes it on
        await page.fill("#password", PASSWORD)
        await page.fill("#confirmation", PASSWORD)
        await page.click("#submit")
        pairing = (await (await page.wait_for_selector("#pairing-code")).inner_text()).strip()
        await zalo.told("opened in a browser")
        await served.oa.text(ANH, pairing)
        await page.wait_for_selector("#success p", timeout=DEADLINE * 1000)
    await zalo.told("Your account is ready!")

    await telegram.send_text(await served.sandbox.last_code())  # the Telegram citizen, on the same process
    await telegram.wait_for_reply("Bước 8/8")
    await choose_password(telegram, PASSWORD)
    await telegram.wait_for_reply("đã sẵn sàng")
    assert await logs_in(served.sandbox, MAI_ID) and await logs_in(served.sandbox, TELEGRAM_ID)
    assert PASSWORD not in texts(served.oa.sent)
    assert PASSWORD.encode() not in await everything_in(served.redis)
    logged = await served.bot.output()
    assert PASSWORD not in logged
    assert ANH[:-3] not in logged and f"{'*' * (len(ANH) - 3)}{ANH[-3:]} moved" in logged  # the Zalo id masked


async def test_a_zalo_citizen_s_typed_delete_leaves_nothing_of_them_in_redis(served: Served) -> None:
    zalo = ZaloCitizen(served.oa, served.redis, BINH)
    await served.oa.follow(BINH)
    await zalo.answers()
    await zalo.presses("consent:agree")
    method = await zalo.presses("subject:citizen")
    assert "6. VNeID" in method[-1].text  # a numbered list, kept beside the dialog
    assert await keys_naming(served.redis, BINH)  # the dialog, its window, its list…
    deleted = await zalo.says("xóa dữ liệu")
    assert "Tôi đã xóa mọi thông tin" in texts(deleted)
    assert await keys_naming(served.redis, BINH) == []
    again = await zalo.says("bắt đầu")  # and they may start afresh: the window opens with their message
    assert "Tôi đồng ý" in [button.title for button in again[-1].buttons]
