"""`regbot run` as a real process, started the way an operator starts it."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
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


BotFactory = Callable[..., Awaitable[BotProcess]]
