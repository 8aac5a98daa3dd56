"""The OA's token pair in real Redis, rotated against the fake OA's single-use refresh tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.oauth import OAuth, RefreshRefused
from bot.channels.zalo.tokens import KEEP_ALIVE, REFRESH_BEFORE, Seed, SharedTokens, keep_tokens_alive
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer
from tests.clock import ManualClock
from tests.fakezalo import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, FakeZaloOA

KEYS = ZaloKeys(APP_ID)
FIRST = Seed(FIRST_REFRESH_TOKEN)  # as configured: ZALO_REFRESH_TOKEN, no ZALO_ACCESS_TOKEN


Build = Callable[..., SharedTokens]


@pytest.fixture
def worker(redis: Redis, sealer: Sealer, oa: FakeZaloOA, http: aiohttp.ClientSession, clock: ManualClock) -> Build:
    """Builds a worker's token store, as each `regbot run` process has its own."""

    def build(seed: Seed = FIRST, client: Redis = redis) -> SharedTokens:
        oauth = OAuth(http, oa.base_url, APP_ID, APP_SECRET, lambda: clock().timestamp())
        return SharedTokens(client, sealer, KEYS, oauth, seed, clock=lambda: clock().timestamp())

    return build


async def test_the_first_token_is_had_from_the_refresh_token_and_kept_sealed(
    worker: Build, oa: FakeZaloOA, redis: Redis,
) -> None:
    access = await worker().current()
    assert access in oa.world.tokens.access and oa.world.tokens.refreshes == 1
    stored = await redis.get(KEYS.tokens)
    assert stored is not None and access.encode() not in stored and b"refresh-1" not in stored


async def test_a_configured_access_token_is_used_without_a_refresh(worker: Build, oa: FakeZaloOA) -> None:
    given = oa.issue_access_token()
    assert await worker(Seed(FIRST_REFRESH_TOKEN, given)).current() == given
    assert oa.world.tokens.refreshes == 0


async def test_a_restarted_worker_uses_the_stored_pair_not_the_spent_first_token(worker: Build, oa: FakeZaloOA) -> None:
    first = await worker().current()
    assert await worker().current() == first
    assert (oa.world.tokens.refreshes, oa.world.tokens.refused_refreshes) == (1, 0)


async def test_the_access_token_is_refreshed_before_it_expires(
    worker: Build, oa: FakeZaloOA, clock: ManualClock,
) -> None:
    tokens = worker()
    first = await tokens.current()
    clock.advance(90000 - REFRESH_BEFORE - 1)
    assert await tokens.current() == first
    clock.advance(2)
    second = await tokens.current()
    assert second != first and oa.world.tokens.refreshes == 2
    assert await worker().current() == second  # and every worker sees it


async def test_two_workers_racing_spend_the_refresh_token_once_and_share_the_winner_s(
    worker: Build, oa: FakeZaloOA, redis_url: str,
) -> None:
    first = await worker().current()
    oa.refresh_delay = 0.2  # both find the token refused while one of them is refreshing
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        one, two = worker(client=clients[0]), worker(client=clients[1])
        results = await asyncio.gather(one.refreshed(first), two.refreshed(first))
    finally:
        for client in clients:
            await client.aclose()
    assert results[0] == results[1] != first
    assert (oa.world.tokens.refreshes, oa.world.tokens.refused_refreshes) == (2, 0)
    assert results[0] in oa.world.tokens.access


async def test_a_refused_refresh_token_says_so_and_keeps_the_stored_pair(
    worker: Build, oa: FakeZaloOA, redis: Redis,
) -> None:
    tokens = worker()
    first = await tokens.current()
    kept = await redis.get(KEYS.tokens)
    oa.world.tokens.refresh.clear()  # the chain broken: the stored refresh token no longer works
    with pytest.raises(RefreshRefused):
        await tokens.refreshed(first)
    assert await redis.get(KEYS.tokens) == kept
    assert await redis.exists(KEYS.token_lock) == 0  # released for the next try


async def test_a_new_refresh_token_set_by_the_operator_starts_a_new_chain(
    worker: Build, oa: FakeZaloOA, clock: ManualClock,
) -> None:
    first = await worker().current()
    oa.world.tokens.refresh["operator-new"] = clock().replace(year=2030)
    second = await worker(Seed("operator-new")).current()
    assert second != first and "operator-new" in oa.world.tokens.spent


async def test_a_message_refused_for_its_token_goes_after_one_rotation_every_worker_then_uses(
    worker: Build, oa: FakeZaloOA, http: aiohttp.ClientSession, clock: ManualClock,
) -> None:
    tokens = worker(Seed(FIRST_REFRESH_TOKEN, oa.issue_access_token()))  # hand-given: its expiry not known
    api = ZaloApi(http, oa.base_url, tokens)
    clock.advance(90000)  # the hand-given token has expired
    oa.world.interacted("8412345", clock())
    await api.send_text("8412345", "Xin chào")
    assert [code for _, code in oa.calls] == [-220, 0, 0]  # refused, the refresh, sent
    assert [message.text for message in oa.sent_to("8412345")] == ["Xin chào"]
    assert await worker().current() == await tokens.current()


async def test_a_pair_no_one_uses_is_refreshed_daily_so_its_chain_outlives_the_refresh_token_s_3_months(
    worker: Build, oa: FakeZaloOA, http: aiohttp.ClientSession, clock: ManualClock, redis_url: str,
) -> None:
    """An OA that sends nothing for months keeps a working pair: each day one worker refreshes it (under the
    rotation's lock, the others finding it fresh), as `regbot run` asks every KEEP_ALIVE_CHECK."""
    await worker().current()
    clients = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        one, two = worker(client=clients[0]), worker(client=clients[1])
        for day in range(1, 101):  # past the 90 days a refresh token lives unused
            clock.advance(3600)
            await asyncio.gather(one.keep_alive(), two.keep_alive())
            assert oa.world.tokens.refreshes == day, "refreshed before it was a day old"
            clock.advance(KEEP_ALIVE - 3600)
            await asyncio.gather(one.keep_alive(), two.keep_alive())
            assert oa.world.tokens.refreshes == day + 1, "not refreshed once a day"
    finally:
        for client in clients:
            await client.aclose()
    assert oa.world.tokens.refused_refreshes == 0
    oa.world.interacted("2512523625412515901", clock())
    await ZaloApi(http, oa.base_url, worker()).send_text("2512523625412515901", "Chào bạn")  # no refresh needed
    assert oa.world.tokens.refreshes == 101 and oa.sent_to("2512523625412515901")


async def test_the_keep_alive_loop_refreshes_a_pair_a_day_old(
    worker: Build, oa: FakeZaloOA, clock: ManualClock,
) -> None:
    tokens = worker()
    await tokens.current()
    looks = 0
    look = tokens.keep_alive

    async def counted() -> None:
        nonlocal looks
        looks += 1
        await look()

    tokens.keep_alive = counted  # type: ignore[method-assign]
    keeping = asyncio.create_task(keep_tokens_alive(tokens, every=0.01))
    try:
        async with asyncio.timeout(10):
            while looks < 3:
                await asyncio.sleep(0.01)
        assert oa.world.tokens.refreshes == 1  # three looks at a fresh pair: nothing to do
        clock.advance(KEEP_ALIVE)
        async with asyncio.timeout(10):
            while oa.world.tokens.refreshes < 2:
                await asyncio.sleep(0.01)
    finally:
        keeping.cancel()
