"""A citizen at the password step in Telegram, and the form's URL from the bot's button."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.webapp.init_data import sign_init_data
from tests.botprocess import TOKEN, BotFactory, BotProcess
from tests.citizen import Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import register_until_otp


@dataclass
class AtPasswordStep:
    citizen: TelegramCitizen
    bot: BotProcess
    form_url: str  # the button's URL: the page, with the one-time nonce

    @property
    def nonce(self) -> str:
        return parse_qs(urlsplit(self.form_url).query)["n"][0]

    def init_data(self, user_id: int | None = None, token: str = TOKEN, age: int = 5) -> str:
        return launch_data(self.citizen, token, user_id, age)


def form_button(citizen: TelegramCitizen) -> str:
    """The URL of the form's Mini App button, as the TLS front before the bot serves it: at the bot's HTTP port."""
    keyboard = citizen.last_keyboard() or []
    for row in keyboard:
        for button in row:
            if "web_app" in button:
                return str(button["web_app"]["url"]).replace("https://", "http://", 1)
    raise AssertionError(f"no Web App button in {keyboard}")


def launch_data(citizen: TelegramCitizen, token: str = TOKEN, user_id: int | None = None, age: int = 5) -> str:
    """Launch data as Telegram signs it for the citizen (or another user, another bot, an old date)."""
    user = {"id": user_id or citizen.user_id, "first_name": "An", "language_code": "vi"}
    fields = {"query_id": "AAHdF6IQAAAAAN0XohDhrOrc", "user": json.dumps(user, separators=(",", ":")),
              "auth_date": str(int(time.time()) - age)}
    return sign_init_data(fields, token)


async def choose_password(citizen: TelegramCitizen, password: str) -> None:
    """Fill in the form behind the citizen's button and submit it, as the Mini App in their chat does."""
    url = form_button(citizen)
    body = {"nonce": parse_qs(urlsplit(url).query)["n"][0], "init_data": launch_data(citizen), "password": password,
            "confirmation": password}
    async with aiohttp.ClientSession() as session, session.post(url.split("?")[0], json=body) as response:
        assert response.status == 200, await response.text()


@pytest.fixture
async def at_password_step(fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox) -> AtPasswordStep:
    bot = await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=3001)
    await register_until_otp(citizen)
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")
    return AtPasswordStep(citizen, bot, form_button(citizen))
