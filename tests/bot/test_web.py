"""The bot's HTTP probes against real parts: /healthz asks nothing, /readyz asks Redis and the portal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from bot.helpdesk.cases import CaseStore, Status
from bot.ops.metrics import REFRESHERS, handoff_gauges
from bot.ops.web import create_web_app, parse_networks, serving
from bot.portal.client import PortalClient
from bot.portal.sandbox import start_sandbox
from bot.storage import DialogKey
from tests.botprocess import free_port
from tests.citizen import Sandbox


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.json() if response.content_type == "application/json" else await response.text()
        return response.status, body


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)  # nobody listens
    yield client
    await client.aclose()


async def test_ready_when_redis_and_the_portal_answer(redis: Redis, portal: PortalClient) -> None:
    async with serving(create_web_app(redis, portal), "127.0.0.1", 0) as port:
        assert await get(f"http://127.0.0.1:{port}/readyz") == (
            200, {"status": "ready", "down": [], "checks": {"redis": "ok", "portal": "ok"}})


async def test_redis_down_is_named_by_readyz_while_healthz_stays_up(
    unreachable_redis: Redis, portal: PortalClient,
) -> None:
    async with serving(create_web_app(unreachable_redis, portal), "127.0.0.1", 0) as port:
        status, body = await get(f"http://127.0.0.1:{port}/readyz")
        assert (status, body["down"], body["checks"]["portal"]) == (503, ["redis"], "ok")
        assert await get(f"http://127.0.0.1:{port}/healthz") == (200, {"status": "ok"})


async def test_a_portal_refusing_our_key_is_not_ready(redis: Redis) -> None:
    runner, url = await start_sandbox(api_key="the-right-key")
    try:
        async with PortalClient(url, api_key="a-wrong-key") as portal, \
                serving(create_web_app(redis, portal), "127.0.0.1", 0) as port:
            status, body = await get(f"http://127.0.0.1:{port}/readyz")
            assert (status, body["down"], body["checks"]["portal"]) == (503, ["portal"], "HTTP 401")
    finally:
        await runner.cleanup()


async def test_metrics_count_the_help_desk_cases_waiting_in_redis(
    redis: Redis, portal: PortalClient, sandbox: Sandbox,
) -> None:
    cases = CaseStore(redis, bot_id=77)
    waiting = [await cases.open(DialogKey("77", str(chat), str(chat))) for chat in (1, 2, 3)]
    for case, since in zip(waiting, (1000.0, 1300.0, 1600.0), strict=True):
        await cases.save(case, status=Status.WAITING, since=since)
    await cases.claim(waiting[0], staff_id=9, name="Lan")  # taken: no longer waiting
    await cases.save(waiting[1], status=Status.CLOSED)
    await cases.save(waiting[1], status=Status.WAITING, since=1900.0)  # handed off again
    await redis.delete("regbot:desk:{77}:case:" + waiting[2].id)  # wiped (/delete) without the index knowing
    app = create_web_app(redis, portal)
    app[REFRESHERS].append(handoff_gauges(cases.waiting_since, clock=lambda: 2000.0))
    async with serving(app, "127.0.0.1", 0) as port:
        status, text = await get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    samples = {sample.name: sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples}
    assert samples["regbot_handoffs_waiting"] == 1
    assert samples["regbot_handoffs_oldest_wait_seconds"] == 100.0


async def echo_remote(request: web.Request) -> web.Response:
    return web.Response(text=request.remote or "")


@pytest.mark.parametrize(
    ("trusted", "forwarded", "seen"),
    [
        ("", "203.0.113.7", "127.0.0.1"),  # no proxy configured: the header is anyone's to forge
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # our load balancer says who the citizen is
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # a forged hop further left is ignored
        ("127.0.0.0/8, 10.0.0.0/8", "203.0.113.7, 10.1.2.3", "203.0.113.7"),  # two proxies of ours
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "203.0.113.7:51234", "203.0.113.7"),  # a load balancer that appends the client's port
        ("127.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        ("127.0.0.1", "[2001:DB8::7]", "2001:db8::7"),
        ("127.0.0.0/8", "203.0.113.7:51234, 127.0.0.2:8080", "203.0.113.7"),  # our own hop with its port too
        ("127.0.0.1", "203.0.113.7:http", "127.0.0.1"),  # not a port: no address
        ("127.0.0.1", "[2001:db8::7]x", "127.0.0.1"),
    ],
)
async def test_behind_trusted_proxies_the_citizens_address_is_the_forwarded_one(
    redis: Redis, portal: PortalClient, trusted: str, forwarded: str, seen: str,
) -> None:
    app = create_web_app(redis, portal, parse_networks(trusted))
    app.router.add_get("/whoami", echo_remote)  # what the password form's per-address limit reads
    async with serving(app, "127.0.0.1", 0) as port, aiohttp.ClientSession() as session, \
            session.get(f"http://127.0.0.1:{port}/whoami", headers={"X-Forwarded-For": forwarded}) as response:
        assert await response.text() == seen
