"""The store's two scripts per update, called on connections of their own: what a restart or a dropped
connection does to them, and the clients whose scripts go through redis-py's own `Script`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.app.redis_clients import REDIS_RETRIES, redis_client
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.storage import DialogCodec
from bot.storage.lua_script import HeldConnections, LuaScript
from bot.storage.redis_store import RedisDialogStore
from bot.storage.round_trip import is_lean
from conversations.dialog import StepName
from conversations.events import Said
from tests.citizen import NAME, Citizen, Sandbox
from tests.clock import ManualClock
from tests.redis_proxy import ReplyLosingProxy


async def test_a_redis_that_forgot_the_scripts_runs_them_again_from_their_source(
    citizen: Citizen, redis: Redis,
) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    await redis.config_resetstat()
    await redis.script_flush()  # as after a restart, or a failover to a replica that never loaded them
    handled = await citizen.assistant.handle(citizen.key, Said(NAME))
    assert "Step 3/8" in handled.replies[-1].text
    assert (await redis.info("commandstats"))["cmdstat_eval"]["calls"] == 2  # lock+load, save+unlock: once each
    handled = await citizen.assistant.handle(citizen.key, Said("05/09/1990"))
    assert "Step 4/8" in handled.replies[-1].text
    assert (await redis.info("commandstats"))["cmdstat_eval"]["calls"] == 2  # loaded again by then


async def test_a_dialog_goes_on_after_redis_dropped_the_connections_its_scripts_keep(
    citizen: Citizen, redis: Redis,
) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    killed = await redis.client_kill_filter(_type="normal", skipme=True)  # as Redis's idle `timeout` does
    assert killed >= 1
    handled = await citizen.assistant.handle(citizen.key, Said(NAME))
    assert "Step 3/8" in handled.replies[-1].text
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.step == StepName.BIRTH_DATE


async def test_a_redis_that_hangs_is_given_up_on_after_the_clients_retries_each_on_one_fresh_connection(
    redis_url: str, tmp_path: Path,
) -> None:
    # How long an update waits on a hung Redis (or a Sentinel primary whose machine vanished) before the citizen
    # is told: (1 + REDIS_RETRIES) × REDIS_TIMEOUT, as bot/app/redis_clients.py promises. Each connect used to
    # retry by itself inside each of the call's retries: 4 × 4 tries, 13 timeouts.
    proxy = await ReplyLosingProxy(Path(redis_url.removeprefix("unix://")), tmp_path / "proxy.sock").start()
    client = redis_client(proxy.url, timeout=0.05)
    try:
        script = LuaScript(client, "return 1", HeldConnections(client))
        assert await script([], []) == 1  # a kept connection, open
        before = proxy.connections
        proxy.hang()
        with pytest.raises(RedisTimeoutError):
            await script([], [])
        assert proxy.connections - before == REDIS_RETRIES  # the kept one, then one fresh connection per retry
    finally:
        await client.aclose()
        await proxy.stop()


async def test_a_call_its_caller_cancels_is_cancelled_not_timed_out_and_leaves_no_reply_unread(
    redis_url: str, tmp_path: Path,
) -> None:
    # The exchanges' timeouts are kept by one watchdog (bot/storage/round_trip.py), which times an exchange out by
    # cancelling its task: a cancellation of the caller's own must stay one, and the late reply must not be read
    # as the next call's.
    proxy = await ReplyLosingProxy(Path(redis_url.removeprefix("unix://")), tmp_path / "proxy.sock").start()
    client = redis_client(proxy.url, timeout=5)
    try:
        script = LuaScript(client, "return ARGV[1]", HeldConnections(client))
        assert await script([], ["first"]) == b"first"
        proxy.lose_next_reply()
        call = asyncio.create_task(script([], ["lost"]))
        while not proxy.lost:  # the request went, its reply was dropped: the call waits on it
            await asyncio.sleep(0.001)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert await script([], ["next"]) == b"next"
        quick = redis_client(proxy.url, timeout=0.05)
        started = asyncio.get_running_loop().time()
        proxy.hang()
        with pytest.raises(RedisTimeoutError):
            await LuaScript(quick, "return 1", HeldConnections(quick))([], [])
        assert asyncio.get_running_loop().time() - started < 1  # (1 + retries) × 0.05 s, a tick late at most each
        await quick.aclose()
    finally:
        await client.aclose()
        await proxy.stop()


async def test_the_clients_regbot_builds_send_the_scripts_in_the_one_timed_exchange(redis_url: str) -> None:
    # redis-py 8 speaks RESP3 by default; the exchange once took RESP2 only, and every script call then went
    # through redis-py's slower send and read without anything failing (bot/storage/round_trip.py).
    client = redis_client(redis_url, timeout=5)
    try:
        await client.ping()
        connection = await client.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            assert is_lean(connection)
        finally:
            await client.connection_pool.release(connection)
    finally:
        await client.aclose()


async def test_a_single_connection_client_runs_the_scripts_through_redis_py(
    redis: Redis, redis_url: str, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs, clock: ManualClock,
    sandbox: Sandbox,
) -> None:
    single = Redis.from_url(redis_url, single_connection_client=True)
    try:
        citizen = Citizen(Assistant(RedisDialogStore(single, codec), portal, catalogs, clock), sandbox)
        await citizen.fill_until(StepName.BIRTH_DATE, "en")
        dialog = await citizen.dialog()
        assert dialog is not None and dialog.data.full_name == NAME
    finally:
        await single.aclose()


async def test_a_command_sent_beside_a_failing_script_leaves_nothing_unread_for_the_next_call(redis: Redis) -> None:
    """The idle set's ZADD rides in the save's round trip: whatever the script answers, both replies are read,
    so the connection kept for the next update answers that update, not the ZADD before it."""
    held = HeldConnections(redis, size=1)
    failing = LuaScript(redis, "return redis.error_reply('no such dialog')", held)
    echo = LuaScript(redis, "return ARGV[1]", held)
    with pytest.raises(ResponseError, match="no such dialog"):
        await failing(keys=["k"], args=[], also=("ZADD", "idle", "GT", 5, "a"))
    assert await redis.zscore("idle", "a") == 5  # the command beside it ran all the same
    await redis.script_flush()  # and a script Redis forgot is run from its source, the command beside it once
    assert await echo(keys=["k"], args=["next"], also=("ZADD", "idle", "GT", 7, "a")) == b"next"
    assert await echo(keys=["k"], args=["after"]) == b"after"
    assert await redis.zscore("idle", "a") == 7


@pytest.mark.parametrize("single_connection", [False, True])
async def test_a_rider_s_failing_command_is_handed_to_it_and_the_script_s_answer_stands(
    redis: Redis, single_connection: bool,
) -> None:
    """Another part's command riding in the lock's round trip (bot/storage/riders.py) gets its reply, an error
    included, and never fails the dialog's script nor leaves a reply unread on the kept connection."""
    client = Redis(connection_pool=redis.connection_pool, single_connection_client=single_connection)
    held = HeldConnections(client, size=1)
    echo = LuaScript(client, "return ARGV[1]", held)
    replies: list[object] = []
    assert await echo(keys=["k"], args=["lock"], also=("EVALSHA", "0" * 40, 0), on_also=replies.append) == b"lock"
    assert await echo(keys=["k"], args=["ride"], also=("INCRBY", "n", 2), on_also=replies.append) == b"ride"
    assert await echo(keys=["k"], args=["next"]) == b"next"
    assert isinstance(replies[0], ResponseError) and replies[1] == 2
    if single_connection:
        await client.aclose()


async def test_calls_sent_together_each_get_their_own_answer_an_error_included(redis: Redis) -> None:
    """Sent answers are forgotten in one round trip: a Redis that forgot the script runs each from its source,
    one call's error is that call's answer, and nothing is left unread for the next call."""
    held = HeldConnections(redis, size=1)
    check = LuaScript(redis, "if ARGV[1] == 'bad' then return redis.error_reply('refused') end return ARGV[1]", held)
    await redis.script_flush()
    before = await _script_calls(redis)
    first, refused, third = await check.each([(["k"], ["a"]), (["k"], ["bad"]), (["k"], ["c"])])
    assert (first, third) == (b"a", b"c")
    assert isinstance(refused, ResponseError) and "refused" in str(refused)
    after = await _script_calls(redis)
    # The script's source sent once: the first call loads it for the others, which are not sent twice.
    assert (after["eval"] - before["eval"], after["evalsha"] - before["evalsha"]) == (1, 2)
    assert await check(keys=["k"], args=["next"]) == b"next"


async def _script_calls(redis: Redis) -> dict[str, int]:
    """How many EVAL and EVALSHA the server has been sent (its INFO commandstats)."""
    stats = await redis.info("commandstats")
    return {name: int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("eval", "evalsha")}
