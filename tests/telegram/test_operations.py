"""What an operator relies on, against a real `regbot run`: probes, metrics, JSON logs, a graceful stop."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from bot.portal.sandbox import start_sandbox
from tests.botprocess import BOTH, ON_PTB, BotFactory, BotProcess, free_port
from tests.citizen import EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import answer_until_review, start_registration
from tests.webapp.conftest import choose_password

pytestmark = ON_PTB

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def scrape(bot: BotProcess) -> Samples:
    status, text = await get(f"http://127.0.0.1:{bot.port}/metrics")
    assert status == 200
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def metric(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape_when(bot: BotProcess, ready: Callable[[Samples], bool], timeout: float = 5.0) -> Samples:
    """Scrape once `ready` holds, or at the timeout: the last reply reaches the chat a moment before the bot
    has counted it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not ready(samples := await scrape(bot)) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    return samples


async def register_to_the_end(citizen: TelegramCitizen, sandbox: Sandbox) -> None:
    """The whole registration, with one refused ID and one wrong code on the way."""
    await start_registration(citizen)
    await citizen.send_text("0010900123")
    await citizen.wait_for_reply("Số này có 10 chữ số")
    await answer_until_review(citizen)
    await citizen.press("Đăng ký")
    await citizen.wait_for_reply("Bước 7/8")
    code = await sandbox.last_code()
    await citizen.send_text(code[:-1] + str((int(code[-1]) + 1) % 10))
    await citizen.wait_for_reply("Bước 7/8")
    await citizen.send_text(code)
    await citizen.wait_for_reply("Bước 8/8")
    await choose_password(citizen, PASSWORD)
    await citizen.wait_for_reply("dichvucong.gov.vn")


# -- probes ----------------------------------------------------------------------------------------------------


async def test_readyz_follows_the_portal_while_healthz_stays_up(start_bot: BotFactory) -> None:
    port = free_port()
    runner, url = await start_sandbox("127.0.0.1", port)
    bot = await start_bot(env={"PORTAL_URL": url})
    base = f"http://127.0.0.1:{bot.port}"
    status, text = await get(f"{base}/readyz")
    assert (status, json.loads(text)["checks"]) == (200, {"redis": "ok", "portal": "ok"})
    await runner.cleanup()  # the portal goes away
    status, text = await get(f"{base}/readyz")
    assert status == 503 and json.loads(text)["down"] == ["portal"]
    assert (await get(f"{base}/healthz"))[0] == 200  # the process itself is fine: no restart wanted
    runner, _url = await start_sandbox("127.0.0.1", port)  # and comes back
    try:
        status, text = await get(f"{base}/readyz")
        assert (status, json.loads(text)["status"]) == (200, "ready")
    finally:
        await runner.cleanup()


# -- metrics ----------------------------------------------------------------------------------------------------


async def test_metrics_show_the_funnel_refusals_codes_and_calls_after_a_registration(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    bot = await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=4001)
    fake_api.fail_next("sendMessage", 429, retry_after=1)  # Telegram's flood limit, once
    await register_to_the_end(citizen, sandbox)
    replies = len(citizen.sent_to_me())
    samples = await scrape_when(bot, lambda samples: (
        metric(samples, "regbot_update_handling_seconds_count") == 13
        and metric(samples, "regbot_telegram_calls_total", method="SendMessage", result="ok") == replies))
    assert metric(samples, "regbot_update_handling_seconds_count") == 13  # every update timed
    assert metric(samples, "regbot_telegram_calls_total", method="SendMessage", result="ok") == replies
    for step in ("consent", "subject", "method", "id_number", "full_name", "birth_date", "phone", "email",
                 "review", "otp", "password", "done"):
        assert metric(samples, "regbot_funnel_reached_total", step=step) == 1, step
    assert metric(samples, "regbot_refusals_total", step="id_number",
                  reason="this_number_has_digits_a_cmnd_has_9") == 1
    for outcome, count in (("sent", 1), ("wrong", 1), ("confirmed", 1), ("expired", 0)):
        assert metric(samples, "regbot_otp_total", outcome=outcome) == count, outcome
    for kind, count in (("command", 1), ("press", 4), ("contact", 1), ("text", 7)):
        assert metric(samples, "regbot_updates_total", kind=kind) == count, kind
    assert metric(samples, "regbot_telegram_calls_total", method="SendMessage", result="429") == 1


# -- logs ---------------------------------------------------------------------------------------------------------


async def test_json_logs_are_one_object_per_line_without_personal_data(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    bot = await start_bot(env={"LOG_FORMAT": "json"})
    await register_to_the_end(TelegramCitizen(fake_api, user_id=4002), sandbox)
    await bot.stop()
    lines = [json.loads(line) for line in (await bot.output()).splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any("moved" in line["message"] for line in lines)  # the flow is logged, just not the citizen
    assert any("uvloop loop, hiredis Redis parser" in line["message"] for line in lines)  # the fast parts, in use
    logged = json.dumps(lines, ensure_ascii=False)
    for secret in (ID_NUMBER, NAME, PHONE, PHONE[1:], PHONE_E164, EMAIL, PASSWORD, "1990-09-05"):
        assert secret not in logged, secret


# -- graceful shutdown -------------------------------------------------------------------------------------------


class HeldPortal:
    """A proxy in front of the sandbox that holds every ID check until the test lets it go."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.url = ""

    async def forward(self, request: web.Request) -> web.Response:
        if request.path.endswith("/accounts/check"):
            self.arrived.set()
            await self.release.wait()
        async with aiohttp.ClientSession() as session, session.request(
            request.method, self.sandbox.url + request.path_qs, data=await request.read(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        ) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)

    async def __aenter__(self) -> HeldPortal:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.forward)
        self._runner = web.AppRunner(app, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        await self._runner.cleanup()


@pytest.fixture
async def held_portal(sandbox: Sandbox) -> AsyncIterator[HeldPortal]:
    async with HeldPortal(sandbox) as held:
        yield held


async def sigterm_while_the_id_is_checked(bot: BotProcess, citizen: TelegramCitizen, portal: HeldPortal) -> None:
    await start_registration(citizen)
    await citizen.send_text(ID_NUMBER)
    await asyncio.wait_for(portal.arrived.wait(), 10)  # the update is being handled, waiting on the portal
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(10):
        while "SIGTERM: stopping" not in await bot.output():
            await asyncio.sleep(0.05)


async def locks(redis: Redis) -> list[bytes]:
    return [key async for key in redis.scan_iter("regbot:*:lock")]


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
@BOTH
async def test_sigterm_lets_the_update_in_progress_finish_and_answer(
    fake_api: FakeBotAPI, start_bot: BotFactory, held_portal: HeldPortal, redis: Redis, webhook: bool,
) -> None:
    bot = await start_bot(webhook=webhook, env={"PORTAL_URL": held_portal.url})
    citizen = TelegramCitizen(fake_api, user_id=4003)
    await sigterm_while_the_id_is_checked(bot, citizen, held_portal)
    held_portal.release.set()  # the portal answers after the signal
    await citizen.wait_for_reply("Bước 2/8")
    assert bot.process is not None and await asyncio.wait_for(bot.process.wait(), 30) == 0
    assert await locks(redis) == []


async def test_an_update_still_running_after_the_grace_period_is_cancelled_and_unlocked(
    fake_api: FakeBotAPI, start_bot: BotFactory, held_portal: HeldPortal, redis: Redis,
) -> None:
    bot = await start_bot(env={"PORTAL_URL": held_portal.url, "SHUTDOWN_TIMEOUT": "1"})
    citizen = TelegramCitizen(fake_api, user_id=4004)
    await sigterm_while_the_id_is_checked(bot, citizen, held_portal)  # and the portal never answers
    assert bot.process is not None and await asyncio.wait_for(bot.process.wait(), 30) == 0
    assert "1 update(s) cancelled" in await bot.output()
    assert await locks(redis) == []  # the next worker can take the dialog at once
    await start_bot()  # the cancelled update waited in the polling inbox: the next start handles it
    await citizen.wait_for_reply("Bước 2/8")
    async with asyncio.timeout(10):  # and takes it out of the inbox once done
        while await redis.hlen(f"regbot:inbox:{fake_api.bot_id}"):
            await asyncio.sleep(0.05)
