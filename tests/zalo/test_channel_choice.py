"""Which channels `regbot run` serves: Zalo on with ZALO_APP_ID, and a half-made choice refused in one line; a
Zalo OA serves the public, so with Zalo on, `regbot run` refuses the embedded defaults as `--webhook` does."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.app.channel_choice import NO_CHANNEL, chosen_channels
from bot.app.serve import ZALO_SERVES_THE_PUBLIC
from bot.app.settings import Settings
from tests.botprocess import ROOT, TOKEN, BotProcess, free_port

ZALO = {"zalo_app_id": "4321", "zalo_app_secret": "app-secret", "zalo_oa_secret_key": "oa-secret",
        "zalo_refresh_token": "refresh-1"}


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' own argument


def test_zalo_alone_is_a_channel_and_telegram_s_token_is_then_optional() -> None:
    channels = chosen_channels(settings(**ZALO))
    assert channels.telegram_token is None
    assert channels.zalo is not None
    assert channels.zalo.channel == "zalo:4321"
    assert channels.zalo.api_url == "https://openapi.zalo.me"
    assert channels.zalo.oauth_url == "https://oauth.zaloapp.com"
    assert channels.zalo.access_token is None
    assert "oa-secret" not in repr(channels.zalo) and "refresh-1" not in repr(channels.zalo)


def test_telegram_alone_leaves_zalo_off() -> None:
    channels = chosen_channels(settings(telegram_bot_token="1:abc"))
    assert channels == type(channels)("1:abc", None)


def test_no_channel_stops_with_one_line() -> None:
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings())
    assert str(stopped.value) == NO_CHANNEL and "\n" not in NO_CHANNEL


@pytest.mark.parametrize("left_out", ["zalo_app_secret", "zalo_oa_secret_key", "zalo_refresh_token"])
def test_a_zalo_account_missing_a_secret_stops_naming_it_and_no_value(left_out: str) -> None:
    values = {name: value for name, value in ZALO.items() if name != left_out} | {"telegram_bot_token": "1:abc"}
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings(**values))
    line = str(stopped.value)
    assert "\n" not in line and left_out.upper() in line
    assert not any(secret in line for secret in ("app-secret", "oa-secret", "refresh-1"))


def test_a_zalo_secret_without_the_app_id_stops_too() -> None:
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings(telegram_bot_token="1:abc", zalo_refresh_token="refresh-1"))
    assert "ZALO_REFRESH_TOKEN set but not ZALO_APP_ID" in str(stopped.value)


def test_base_urls_are_taken_without_a_trailing_slash() -> None:
    zalo = chosen_channels(settings(**ZALO, zalo_api_url="http://127.0.0.1:9/",
                                    zalo_oauth_url="http://127.0.0.1:8/")).zalo
    assert zalo is not None and (zalo.api_url, zalo.oauth_url) == ("http://127.0.0.1:9", "http://127.0.0.1:8")


# -- a Zalo OA serves the public: regbot run holds it to the rule of Telegram's webhook mode --------------------

ZALO_ENV = {"ZALO_APP_ID": "4321", "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": "oa-secret",
            "ZALO_REFRESH_TOKEN": "refresh-1", "ZALO_API_URL": "http://127.0.0.1:9", "ZALO_OAUTH_URL": "http://127.0.0.1:9"}
PRODUCTION = {"PORTAL_URL": "http://127.0.0.1:9", "REDIS_URL": "redis://127.0.0.1:9/0", "DIALOG_ENCRYPTION_KEY": "k",
              "WEBAPP_URL": "https://regbot.example.vn"}
NEEDS = ("needs PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY and WEBAPP_URL "
         "(or REGBOT_DEMO=1 for a demonstration): missing ")


def run_env(tmp_path: Path, **given: str) -> dict[str, str]:
    """The machine's environment without any of regbot's settings, no `.env`, and only `given`."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTAL", "REDIS", "DIALOG", "REGBOT", "TELEGRAM", "WEBHOOK", "ZALO"))}
    return env | {"PYTHONPATH": str(ROOT), "DATA_DIR": str(tmp_path / "data"),
                  "TELEGRAM_API_URL": "http://127.0.0.1:9"} | given  # nothing listens: nothing may be called


async def refused(tmp_path: Path, *args: str, **given: str) -> str:
    """What `python -m bot run` printed, having exited non-zero."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=tmp_path, env=run_env(tmp_path, **given),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode not in (None, 0)
    return (out + err).decode()


@pytest.mark.parametrize(("given", "missing"), [
    ({}, "PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY, WEBAPP_URL"),
    ({**PRODUCTION, "PORTAL_URL": ""}, "PORTAL_URL"),
    ({**PRODUCTION, "WEBAPP_URL": ""}, "WEBAPP_URL"),  # a password link to 127.0.0.1 no phone could open
    ({"TELEGRAM_BOT_TOKEN": TOKEN}, "PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY, WEBAPP_URL"),  # beside polling
], ids=["alone", "alone-sandbox-portal", "alone-no-form-address", "beside-polling"])
async def test_zalo_without_webhook_refuses_the_embedded_defaults_in_one_line(
    tmp_path: Path, given: dict[str, str], missing: str,
) -> None:
    output = await refused(tmp_path, **ZALO_ENV, **given)
    assert output == f"{ZALO_SERVES_THE_PUBLIC} {NEEDS}{missing}\n"
    assert not (tmp_path / "data").exists()  # nothing was built: no embedded Redis, no dev key
    assert "oa-secret" not in output and "refresh-1" not in output


async def test_zalo_with_webhook_names_the_webhook_as_telegram_s_refusal_does(tmp_path: Path) -> None:
    output = await refused(tmp_path, "--webhook", **ZALO_ENV, REDIS_URL=PRODUCTION["REDIS_URL"])
    assert output == f"regbot run --webhook {NEEDS}PORTAL_URL, DIALOG_ENCRYPTION_KEY, WEBAPP_URL\n"


async def test_a_declared_demonstration_serves_zalo_on_the_embedded_defaults(tmp_path: Path) -> None:
    """REGBOT_DEMO=1: the sandbox portal, an embedded Redis and a dev key, as the README's first try."""
    bot = await BotProcess(run_env(tmp_path, **ZALO_ENV, REGBOT_DEMO="1", HOST="127.0.0.1",
                                   PORT=str(free_port())), webhook=False).start()  # answers /healthz
    await bot.stop()
    assert (tmp_path / "data").exists()
