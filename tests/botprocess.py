"""`regbot run` as a real process, started the way an operator starts it."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.core.pseudonyms import Pseudonyms
from bot.storage.codec import load_keys

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

# Which framework(s) an end-to-end test runs `regbot run` on (the `framework` fixture; see tests/conftest.py).
BOTH = pytest.mark.frameworks("aiogram", "ptb")  # the cross-framework set: every kind of update and call
ON_AIOGRAM = pytest.mark.frameworks("aiogram")
ON_PTB = pytest.mark.frameworks("ptb")


# Ports for the bots' HTTP servers, below Linux's ephemeral range (32768–60999) so that no socket the kernel
# numbers itself (a client's, the fake Bot API's on port 0) can take one between the probe and the bot's bind;
# each xdist worker has a slice of its own, so parallel workers never hand out the same port.
PORTS_FROM, PORTS_PER_WORKER, WORKER_SLICES = 20_000, 1_000, 12
_next_port = random.randrange(PORTS_PER_WORKER)


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw3" under xdist; unset when run alone
    return int(worker[2:]) % WORKER_SLICES if worker[2:].isdigit() else 0


def free_port() -> int:
    """A port nobody listens on now, from this worker's slice (another run may still race us: see `PortTaken`)."""
    global _next_port
    first = PORTS_FROM + _worker_index() * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = first + _next_port % PORTS_PER_WORKER
        _next_port += 1
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {first}–{first + PORTS_PER_WORKER - 1}")


class PortTaken(AssertionError):
    """The bot could not bind its port: someone took it after `free_port` probed it."""


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
        try:
            async with aiohttp.ClientSession() as session, asyncio.timeout(60):  # slow on a busy machine
                while True:
                    if self.process.returncode is not None:
                        output = await self.output()
                        if "address already in use" in output:
                            raise PortTaken(f"port {self.port} taken: {output[-500:]}")
                        raise AssertionError(f"bot exited: {output}")
                    try:
                        async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                            if response.status == 200:
                                return self
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
        except TimeoutError:  # not left running, and what it printed says how far it got
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"bot not serving /healthz within 60 s; it printed: {await self.output()}") from None

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



def pseudonyms_of(process: BotProcess) -> Pseudonyms:
    """The bot's keyed hashes (as `bot/app/runtime.py` derives them from its encryption key): how it names a
    one-time link's nonce in Redis, for a test that reaches one there."""
    return Pseudonyms(load_keys(process.env["DIALOG_ENCRYPTION_KEY"], Path(process.env["DATA_DIR"]))[0])


def link_name(process: BotProcess, nonce: str) -> str:
    return pseudonyms_of(process).of("link", nonce)
