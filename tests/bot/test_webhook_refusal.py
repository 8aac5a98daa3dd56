"""`regbot run --webhook` serves the public, so it refuses the sandbox portal, embedded Redis and dev key.

Unless REGBOT_DEMO=1 says it is a demonstration. The refusal comes before
anything is built: no Redis, no portal, no call to the Bot API.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.app.serve import missing_for_production
from bot.app.settings import Settings
from tests.botprocess import ROOT, TOKEN

EVERYTHING = {"PORTAL_URL": "http://portal:8090", "REDIS_URL": "redis://redis:6379/0",
              "DIALOG_ENCRYPTION_KEY": "a-key", "WEBAPP_URL": "https://regbot.example.vn"}
THE_RULE = ("regbot run --webhook needs PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY and WEBAPP_URL "
            "(or REGBOT_DEMO=1 for a demonstration): missing ")


def settings(**env: str) -> Settings:
    return Settings(_env_file=None, **{name.lower(): value for name, value in env.items()})  # type: ignore[arg-type]


@pytest.mark.parametrize(("unset", "missing"), [
    ((), []),
    (("PORTAL_URL",), ["PORTAL_URL"]),
    (("REDIS_URL",), ["REDIS_URL"]),
    (("DIALOG_ENCRYPTION_KEY",), ["DIALOG_ENCRYPTION_KEY"]),
    (("WEBAPP_URL",), ["WEBAPP_URL"]),
    (("PORTAL_URL", "DIALOG_ENCRYPTION_KEY"), ["PORTAL_URL", "DIALOG_ENCRYPTION_KEY"]),
])
def test_what_a_webhook_deployment_lacks_is_named(
    unset: tuple[str, ...], missing: list[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*EVERYTHING, "REGBOT_DEMO"):
        monkeypatch.delenv(name, raising=False)  # only what the test gives counts
    given = {name: value for name, value in EVERYTHING.items() if name not in unset}
    assert missing_for_production(settings(**given)) == missing
    assert missing_for_production(settings(**given, REGBOT_DEMO="1")) == []  # a declared demonstration


async def run_webhook(tmp_path: Path, **extra: str) -> tuple[int, str]:
    """`python -m bot run --webhook` with a token and WEBHOOK_URL, no `.env`, nothing else but `extra`."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PORTAL", "REDIS", "DIALOG", "REGBOT", "TELEGRAM", "WEBHOOK"))}
    env |= {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN, "DATA_DIR": str(tmp_path / "data"),
            "TELEGRAM_API_URL": "http://127.0.0.1:9",  # nothing listens: it must fail before calling it
            "WEBHOOK_URL": "https://bot.example.org/telegram/webhook", **extra}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_a_webhook_on_embedded_defaults_refuses_to_start_with_one_line(tmp_path: Path) -> None:
    code, output = await run_webhook(tmp_path)
    assert code != 0
    assert output == THE_RULE + "PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY, WEBAPP_URL\n"
    assert not (tmp_path / "data").exists()  # nothing was built: no embedded Redis, no dev key

