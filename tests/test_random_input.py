"""Property: whatever a citizen types at any step, nothing escapes, and a refusal stores nothing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.assistant import Assistant
from bot.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.portal.sandbox import start_sandbox
from bot.storage import DialogCodec, DialogStore
from conversations.dialog import StepName
from conversations.events import Command, Pressed, Said
from tests.citizen import Citizen, Sandbox
from tests.clock import ManualClock
from tests.conftest import START

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))

TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["Nd", "Zs", "Pd", "Po"]), max_size=20),  # look-alike digits
    st.text(alphabet="0123456789 ./-+", max_size=16),
    st.sampled_from(["\u200b", "\u202e0821234088", "🙂", "N\u0303guyen", "29/02/2023", "/", "/back@bot x"]),
)
EVENTS = st.one_of(
    TEXT.map(Said),
    st.text(max_size=40).map(Pressed),
    st.tuples(st.sampled_from(["help", "status", "language", "start", "nonsense"]), st.text(max_size=20)).map(
        lambda pair: Command(*pair)),
)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.mark.parametrize("step", [step for step in StepName])
def test_random_input_never_crashes_and_refusals_store_nothing(
    step: StepName, loop: asyncio.AbstractEventLoop, redis_url: str, catalogs: Catalogs, codec: DialogCodec,
) -> None:
    clock = ManualClock(START)

    async def setup() -> tuple[Citizen, Redis, object, PortalClient, Sandbox]:
        runner, url = await start_sandbox("127.0.0.1", 0, clock=clock)
        sandbox = await Sandbox(url).__aenter__()
        redis = Redis.from_url(redis_url)
        await redis.flushall()
        portal = PortalClient(url)
        citizen = Citizen(Assistant(DialogStore(redis, codec), portal, catalogs, clock), sandbox)
        await citizen.fill_until(step, "en")
        return citizen, redis, runner, portal, sandbox

    citizen, redis, runner, portal, sandbox = loop.run_until_complete(setup())
    snapshot = loop.run_until_complete(redis.get(citizen.key.dialog))

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(event=EVENTS)
    def check(event: Said | Pressed | Command) -> None:
        async def attempt() -> None:
            await redis.set(citizen.key.dialog, snapshot)
            handled = await citizen.assistant.handle(citizen.key, event)
            assert handled.replies and all(reply.text.strip() for reply in handled.replies)
            if not handled.stored:
                assert await redis.get(citizen.key.dialog) == snapshot

        loop.run_until_complete(attempt())

    try:
        check()
    finally:
        async def teardown() -> None:
            await portal.close()
            await sandbox.__aexit__()
            await redis.aclose()
            await runner.cleanup()  # type: ignore[attr-defined]

        loop.run_until_complete(teardown())
