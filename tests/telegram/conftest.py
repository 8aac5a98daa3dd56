"""A fake Bot API, and `regbot run` as a real process pointed at it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet

from tests.citizen import Sandbox
from tests.fakebot.server import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """`python -m bot run` in its own process, as an operator would start it."""

    def __init__(self, env: dict[str, str], webhook: bool) -> None:
        self.env = env
        self.webhook = webhook
        self.port = int(env["PORT"])
        self.process: asyncio.subprocess.Process | None = None
        self.log = b""
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> BotProcess:
        args = [sys.executable, "-m", "bot", "run", *(["--webhook"] if self.webhook else [])]
        self.process = await asyncio.create_subprocess_exec(
            *args, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        self._reader = asyncio.create_task(self._read())
        async with aiohttp.ClientSession() as session, asyncio.timeout(20):
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"bot exited: {await self.output()}")
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while chunk := await self.process.stdout.read(4096):
            self.log += chunk

    async def output(self) -> str:
        """What the process printed so far (all of it once it has exited)."""
        if self.process is not None and self.process.returncode is not None and self._reader is not None:
            await self._reader
        return self.log.decode(errors="replace")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self.output()

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    yield api
    await api.stop()


BotFactory = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def start_bot(
    fake_api: FakeBotAPI, redis_url: str, sandbox: Sandbox, tmp_path: Path, redis: object,
) -> AsyncIterator[BotFactory]:
    """Start `regbot run` (polling, or `webhook=True`) against the fake Bot API, test Redis and sandbox."""
    started: list[BotProcess] = []
    key = Fernet.generate_key().decode()  # shared by every worker of the test, like in production

    async def start(webhook: bool = False, port: int | None = None, embedded: bool = False) -> BotProcess:
        """`embedded=True`: only the token and API URL are given, as in the README's first try."""
        port = port or free_port()
        shared = {} if embedded else {"REDIS_URL": redis_url, "PORTAL_URL": sandbox.url}
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("REDIS", "PORTAL"))},
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake_api.base_url,
            **shared, "DATA_DIR": str(tmp_path / "data"),
            "HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO",
            "DIALOG_ENCRYPTION_KEY": key,
            **({"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook"} if webhook else {}),
        }
        process = await BotProcess(env, webhook).start()
        started.append(process)
        return process

    yield start
    for process in started:
        await process.stop()
