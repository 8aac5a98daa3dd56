"""The store's two scripts per update, called on connections of their own: what a restart or a dropped
connection does to them, and the clients whose scripts go through redis-py's own `Script`."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.storage import DialogCodec
from bot.storage.lua_script import HeldConnections, LuaScript
from bot.storage.redis_store import RedisDialogStore
from conversations.dialog import StepName
from conversations.events import Said
from tests.citizen import NAME, Citizen, Sandbox
from tests.clock import ManualClock


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


async def test_calls_sent_together_each_get_their_own_answer_an_error_included(redis: Redis) -> None:
    """Sent answers are forgotten in one round trip: a Redis that forgot the script runs each from its source,
    one call's error is that call's answer, and nothing is left unread for the next call."""
    held = HeldConnections(redis, size=1)
    check = LuaScript(redis, "if ARGV[1] == 'bad' then return redis.error_reply('refused') end return ARGV[1]", held)
    await redis.script_flush()
    first, refused, third = await check.each([(["k"], ["a"]), (["k"], ["bad"]), (["k"], ["c"])])
    assert (first, third) == (b"a", b"c")
    assert isinstance(refused, ResponseError) and "refused" in str(refused)
    assert await check(keys=["k"], args=["next"]) == b"next"
