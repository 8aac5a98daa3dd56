"""`POST /zalo/webhook` served for real, the fake OA delivering signed events, the inbox in real Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.channels.zalo import assumptions
from bot.channels.zalo.events import ZaloEvent, read_event
from bot.channels.zalo.inbox import ZaloInbox
from bot.channels.zalo.webhook import ZaloWebhook
from bot.core.inflight import InFlight
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer
from tests.clock import ManualClock
from tests.fakezalo import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZaloOA

KEYS = ZaloKeys(APP_ID)


class Handler:
    """The events handed on, in order; `gate` holds each one until the test lets it finish."""

    def __init__(self) -> None:
        self.events: list[ZaloEvent] = []
        self.arrived = asyncio.Condition()
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, event: ZaloEvent) -> None:
        async with self.arrived:
            self.events.append(event)
            self.arrived.notify_all()
        await self.gate.wait()

    async def wait_for(self, count: int) -> None:
        async with self.arrived:
            await self.arrived.wait_for(lambda: len(self.events) >= count)


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
def in_flight() -> InFlight:
    return InFlight()


@pytest.fixture
async def webhook(oa: FakeZaloOA, redis: Redis, sealer: Sealer, handler: Handler, in_flight: InFlight,
                  clock: ManualClock) -> AsyncIterator[ZaloWebhook]:
    async with served(ZaloInbox(redis, sealer, KEYS, "worker-a"), oa, handler, in_flight, clock) as hook:
        yield hook
        await in_flight.drain(5)


@asynccontextmanager
async def served(inbox: ZaloInbox, oa: FakeZaloOA, handler: Handler, in_flight: InFlight,
                 clock: ManualClock) -> AsyncIterator[ZaloWebhook]:
    """A webhook over `inbox` on a real HTTP server, which the fake OA delivers its events to."""
    hook = ZaloWebhook(APP_ID, OA_SECRET_KEY, inbox, handler, in_flight, clock=lambda: clock().timestamp())
    app = web.Application()
    hook.mount(app)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
        yield hook
    finally:
        await runner.cleanup()


async def test_an_event_is_answered_before_it_is_handled_and_leaves_the_inbox_once_handled(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, in_flight: InFlight, redis: Redis,
) -> None:
    handler.gate.clear()  # the handling takes as long as it likes: a portal call, say
    body = await oa.text("u1", "xin chào")
    assert oa.deliveries == [(body["message"]["msg_id"], 200)]
    await handler.wait_for(1)
    assert await redis.hlen(KEYS.inbox) == 1  # kept while it is handled
    assert b"xin ch" not in (await redis.hvals(KEYS.inbox))[0]  # sealed
    handler.gate.set()
    await in_flight.drain(5)
    assert await redis.hlen(KEYS.inbox) == 0 and await redis.hlen(KEYS.inbox_owners) == 0
    assert handler.events[0].body == body


async def test_a_repeated_event_is_answered_200_and_handled_once(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, in_flight: InFlight,
) -> None:
    await oa.press("u1", "#btn:consent:yes", duplicate=True)
    assert [status for _, status in oa.deliveries] == [200, 200]
    await in_flight.drain(5)
    assert len(handler.events) == 1


async def test_a_wrong_signature_is_refused_and_nothing_kept(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, redis: Redis,
) -> None:
    oa.attempts = 1
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "giả mạo"}), sign_with="not the secret")
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "khóa app"}), sign_with=APP_SECRET)
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "không ký"}), signature_header="mac=")
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "ký lạ"}), signature_header="mac=ờ")
    assert [status for _, status in oa.deliveries] == [401, 401, 401, 401]
    assert handler.events == [] and await redis.dbsize() == 0


async def test_a_stale_event_is_refused_even_well_signed(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, clock: ManualClock, redis: Redis,
) -> None:
    oa.attempts = 1
    old = oa.event("user_send_text", "u1", {"text": "cũ"}, at=clock.now)
    clock.advance(2 * 3600)
    await oa.deliver(old)
    ahead = oa.event("user_send_text", "u1", {"text": "tương lai"}, at=clock.advance(0).replace(year=2030))
    await oa.deliver(ahead)
    assert [status for _, status in oa.deliveries] == [400, 400]
    assert handler.events == [] and await redis.dbsize() == 0


async def test_an_event_a_little_ahead_of_this_clock_is_taken_one_further_ahead_refused(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, clock: ManualClock, in_flight: InFlight,
) -> None:
    """Zalo's clock may run a little ahead of ours: by up to assumptions.FUTURE_SKEW."""
    oa.attempts = 1
    skew = timedelta(seconds=assumptions.FUTURE_SKEW)
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "hơi sớm"}, at=clock.now + skew - timedelta(seconds=30)))
    await oa.deliver(oa.event("user_send_text", "u1", {"text": "quá sớm"}, at=clock.now + skew + timedelta(seconds=30)))
    assert [status for _, status in oa.deliveries] == [200, 400]
    await in_flight.drain(5)
    assert [event.body["message"]["text"] for event in handler.events] == ["hơi sớm"]


async def test_the_oa_s_own_echoed_messages_are_ignored(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, in_flight: InFlight,
) -> None:
    echo = oa.event("oa_send_text", "u1", {"text": "câu trả lời của OA"})
    echo["sender"], echo["recipient"] = echo["recipient"], echo["sender"]
    await oa.deliver(echo)
    await in_flight.drain(5)
    assert oa.deliveries[-1][1] == 200 and handler.events == []


async def test_an_event_left_by_a_worker_that_died_is_handled_by_another_once(
    oa: FakeZaloOA, redis: Redis, sealer: Sealer, handler: Handler, in_flight: InFlight, clock: ManualClock,
) -> None:
    body = oa.event("user_send_text", "u1", {"text": "Đăng ký"})
    raw = json.dumps(body).encode()
    dead = ZaloInbox(redis, sealer, KEYS, "worker-dead")
    assert await dead.take(read_event(body), raw)
    survivor = ZaloWebhook(APP_ID, OA_SECRET_KEY, ZaloInbox(redis, sealer, KEYS, "worker-b"), handler, in_flight,
                           clock=lambda: clock().timestamp())

    async def only_the_dead(worker: str) -> bool:
        return worker == "worker-dead"

    async def nobody(worker: str) -> bool:
        return False

    assert await survivor.take_over(nobody) == 0  # its worker still beats: it is handling it
    assert await survivor.take_over(only_the_dead) == 1
    assert await survivor.take_over(only_the_dead) == 0  # taken over once
    await in_flight.drain(5)
    assert [event.body for event in handler.events] == [body]
    assert await redis.hlen(KEYS.inbox) == 0


async def test_an_event_redis_cannot_keep_gets_503_so_that_zalo_delivers_it_again(
    oa: FakeZaloOA, sealer: Sealer, handler: Handler, in_flight: InFlight, clock: ManualClock,
) -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1", socket_connect_timeout=1)
    oa.attempts = 2
    try:
        async with served(ZaloInbox(unreachable, sealer, KEYS, "worker-a"), oa, handler, in_flight, clock):
            await oa.text("u1", "Đăng ký")
    finally:
        await unreachable.aclose()
    assert [status for _, status in oa.deliveries] == [503, 503]
    assert handler.events == []


async def test_a_citizen_s_events_are_handed_on_one_at_a_time_in_the_order_they_came(
    webhook: ZaloWebhook, oa: FakeZaloOA, handler: Handler, in_flight: InFlight,
) -> None:
    """"1" then the ID number, typed quickly: the second waits for the first (another citizen's does not), so
    it cannot reach the dialog first and be answered as an answer to the question before."""
    handler.gate.clear()
    await oa.text("u1", "1")
    await oa.text("u1", "001090012345")
    await oa.text("u2", "xin chào")  # its task started after the ID number's
    await handler.wait_for(2)
    assert [(event.user_id, event.body["message"]["text"]) for event in handler.events] == [
        ("u1", "1"), ("u2", "xin chào")]
    handler.gate.set()
    await in_flight.drain(5)
    assert [event.body["message"]["text"] for event in handler.events if event.user_id == "u1"] == [
        "1", "001090012345"]


async def test_a_dead_worker_s_events_are_taken_over_in_the_order_they_were_sent(
    oa: FakeZaloOA, redis: Redis, sealer: Sealer, handler: Handler, in_flight: InFlight, clock: ManualClock,
) -> None:
    first = oa.event("user_send_text", "u1", {"text": "1"}, at=clock.now)
    second = oa.event("user_send_text", "u1", {"text": "001090012345"}, at=clock.advance(1))
    dead = ZaloInbox(redis, sealer, KEYS, "worker-dead")
    for body in (second, first):  # kept in the other order: the inbox is a hash
        assert await dead.take(read_event(body), json.dumps(body).encode())
    survivor = ZaloWebhook(APP_ID, OA_SECRET_KEY, ZaloInbox(redis, sealer, KEYS, "worker-b"), handler, in_flight,
                           clock=lambda: clock().timestamp())

    async def dead_worker(worker: str) -> bool:
        return worker == "worker-dead"

    assert await survivor.take_over(dead_worker) == 2
    await handler.wait_for(2)
    await in_flight.drain(5)
    assert [event.body for event in handler.events] == [first, second]
