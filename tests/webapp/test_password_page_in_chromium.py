"""The password page in a real headless Chromium, opened the way Telegram opens a Mini App.

Telegram's own script is unreachable (as on a network that blocks it), so
the page must read the launch data from the URL fragment itself.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from playwright.async_api import Browser, Page
from redis.asyncio import Redis

from tests.botprocess import ON_AIOGRAM
from tests.browser import headless_chromium, needs_chromium
from tests.citizen import ID_NUMBER, PASSWORD, Sandbox, everything_in
from tests.fakebot.server import FakeBotAPI
from tests.webapp.conftest import AtPasswordStep

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = [needs_chromium, ON_AIOGRAM]


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    async with headless_chromium() as browser:
        yield browser


async def open_as_telegram_does(browser: Browser, form: AtPasswordStep) -> Page:
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.route("https://telegram.org/**", lambda route: route.abort())
    launch = f"#tgWebAppData={quote(form.init_data(), safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"
    await page.goto(form.form_url + launch)
    return page


async def test_weak_then_valid_password_completes_the_registration(
    chromium: Browser, at_password_step: AtPasswordStep, fake_api: FakeBotAPI, sandbox: Sandbox, redis: Redis,
) -> None:
    page = await open_as_telegram_does(chromium, at_password_step)
    await page.fill("#password", "saomai")
    assert await page.get_attribute("#rule-length", "data-ok") == "false"
    assert await page.get_attribute("#rule-lower", "data-ok") == "true"
    assert await page.get_attribute("#rule-upper", "data-ok") == "false"
    await page.fill("#confirmation", "saomai")
    await page.click("#submit")  # the checklist is not green: nothing is sent
    await page.wait_for_selector("#error p")
    assert "yêu cầu" in await page.inner_text("#error")
    await page.fill("#password", "P@ssw0rd")  # meets the rule, but is on every list of common passwords
    await page.fill("#confirmation", "P@ssw0rd")
    await page.click("#submit")
    await page.wait_for_selector("#error li")
    assert "quá dễ đoán" in await page.inner_text("#error")
    await page.fill("#password", PASSWORD)
    await page.fill("#confirmation", PASSWORD)
    assert all([await page.get_attribute(f"#rule-{rule}", "data-ok") == "true"
                for rule in ("length", "lower", "upper", "digit", "special", "match")])
    await page.click("#submit")
    await page.wait_for_selector("#success p")
    assert "tài khoản" in (await page.inner_text("#success")).lower()
    await at_password_step.citizen.wait_for_reply("đã sẵn sàng")  # the bot says so in the chat
    async with aiohttp.ClientSession() as session, session.post(
        f"{sandbox.url}/sandbox/login", json={"id_number": ID_NUMBER, "password": PASSWORD}) as response:
        assert response.status == 200  # the portal has the account, with exactly that password
    assert PASSWORD.encode() not in await everything_in(redis)
    assert PASSWORD not in await at_password_step.bot.output()
    assert all(PASSWORD not in str(call.params) for call in fake_api.calls)


async def test_screenshots_of_the_page_in_both_languages(
    chromium: Browser, at_password_step: AtPasswordStep, tmp_path: Path,
) -> None:
    """UPDATE_SCREENSHOTS=1 writes them into docs/screenshots/ (the README shows them)."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page = await open_as_telegram_does(chromium, at_password_step)
    await page.fill("#password", "Sao-Mai")
    assert "Mật khẩu" in await page.inner_text("body")
    await page.screenshot(path=str(folder / "password-form-vi.png"), full_page=True)
    await page.goto(at_password_step.form_url + "&lang=en")
    await page.fill("#password", "Sao-Mai")
    assert "Password" in await page.inner_text("body")
    await page.screenshot(path=str(folder / "password-form-en.png"), full_page=True)


async def test_a_browser_without_launch_data_completes_only_once_the_citizen_sends_the_code_in_the_chat(
    chromium: Browser, at_password_step: AtPasswordStep, redis: Redis,
) -> None:
    """The link opened in a plain browser (a forwarded message would do the same): the page shows a code and
    waits; nothing is registered until that code arrives in the citizen's own chat."""
    form = at_password_step
    page = await chromium.new_page(viewport={"width": 390, "height": 844})
    await page.route("https://telegram.org/**", lambda route: route.abort())
    await page.goto(form.form_url)  # no launch data
    await page.fill("#password", PASSWORD)
    await page.fill("#confirmation", PASSWORD)
    await page.click("#submit")
    code = (await (await page.wait_for_selector("#pairing-code")).inner_text()).strip()
    await form.citizen.wait_for_reply("mở trong một trình duyệt")
    async with page.expect_response(lambda response: response.request.method == "POST") as asked_again:
        pass  # the page sends the form again while it waits: still no account
    assert (await asked_again.value).status == 202
    assert not await page.is_visible("#success p")
    assert not any("đã sẵn sàng" in message.get("text", "") for message in form.citizen.sent_to_me())
    await form.citizen.send_text(code)
    await page.wait_for_selector("#success p", timeout=15_000)
    await form.citizen.wait_for_reply("đã sẵn sàng")
    assert PASSWORD.encode() not in await everything_in(redis)
