"""Under Redis Sentinel, a primary killed mid-dialog costs the citizen one "your answers are kept" at most.

And the sentinels' password is theirs, the data nodes' password the data nodes'.

Real processes (tests/sentinel_process.py): a primary, its replica and three sentinels. In process over the
switchboard, with the real assistant and store on the client the bot builds from a `redis+sentinel://`
REDIS_URL (bot/app/redis_clients.py). The primary is SIGKILLed between two answers; the citizen's next
message gets the notice (the primary is gone and not yet replaced) or, if the promotion was quicker, its
answer; once the sentinels have promoted the replica, the same message carries on from the stored dialog,
with every answer given before the kill.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.app.redis_clients import REDIS_CONNECTIONS, open_redis
from bot.app.redis_url import parse_redis_url
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.switchboard import Switchboard
from bot.core.texts import STORE_UNAVAILABLE
from bot.portal.client import PortalClient
from bot.storage import DialogCodec, DialogKey
from bot.storage.redis_store import RedisDialogStore
from conversations.dialog import StepName
from conversations.events import Command, Event, Pressed, Said
from tests.channels import TextChannel
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE
from tests.clock import ManualClock
from tests.sentinel_process import SentinelSet

KEY = DialogKey("test", "8001", "8001")


@pytest.fixture
async def sentinels(tmp_path: Path) -> AsyncIterator[SentinelSet]:
    servers = SentinelSet(tmp_path)
    try:
        yield await servers.start()
    finally:
        await servers.stop()


@pytest.fixture
async def primary(sentinels: SentinelSet) -> AsyncIterator[Redis]:
    """The bot's client: whichever server the sentinels name the primary."""
    async with open_redis(parse_redis_url(sentinels.url), timeout=2) as client:
        yield client


class PortalKillingThePrimary:
    """The sandbox portal, but the Redis primary dies while the ID number is first checked: the dialog's lock
    is taken (and replicated), its save will fail."""

    def __init__(self, portal: PortalClient, sentinels: SentinelSet) -> None:
        self._portal, self._sentinels, self._killed = portal, sentinels, False

    def __getattr__(self, name: str) -> object:
        return getattr(self._portal, name)

    async def account_exists(self, id_number: str) -> bool:
        if not self._killed:
            await self._sentinels.replicated()
            await self._sentinels.primary.kill()
            self._killed = True
        return await self._portal.account_exists(id_number)


class Citizen:
    """Sends events through the switchboard, each as a new update, and reads what the channel said."""

    def __init__(self, switchboard: Switchboard, channel: TextChannel) -> None:
        self._switchboard, self._channel, self._ids = switchboard, channel, count(1)

    async def send(self, event: Event) -> str:
        before = len(self._channel.said)
        await self._switchboard.handle(Incoming(KEY, event, "vi", event_id=str(next(self._ids))))
        return "\n".join(self._channel.said[before:])


async def test_a_primary_killed_mid_dialog_is_replaced_and_the_dialog_carries_on_with_its_answers(
    sentinels: SentinelSet, primary: Redis, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs,
    clock: ManualClock,
) -> None:
    store = RedisDialogStore(primary, codec)
    channel = TextChannel()
    citizen = Citizen(Switchboard(Assistant(store, portal, catalogs, clock), catalogs, {KEY.bot: channel}), channel)
    for event in (Command("start"), Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
                  Said(ID_NUMBER), Said(NAME)):
        await citizen.send(event)
    assert "Bước 4/8" in await citizen.send(Said(BIRTH))
    dialog = await store.load(KEY)
    assert dialog is not None and dialog.step is StepName.PHONE
    await sentinels.replicated()  # as after a citizen's few seconds of thought: replication is asynchronous

    await sentinels.primary.kill()
    unavailable = catalogs.render(STORE_UNAVAILABLE, "vi")
    first = await citizen.send(Said(PHONE))
    if first == unavailable:  # the usual case: the sentinels have not yet agreed the primary is gone
        await sentinels.promoted()
        answered = await citizen.send(Said(PHONE))  # "send your last message again"
    else:
        answered = first
    assert "Bước 5/8" in answered and unavailable not in answered
    review = await citizen.send(Pressed("email:skip"))
    assert "Bước 6/8" in review  # every answer given before the kill, from the promoted replica:
    assert all(answer in review for answer in (ID_NUMBER, NAME, "5 tháng 9, 1990", PHONE))
    assert channel.said.count(unavailable) <= 1
    await sentinels.promoted()
    assert (await sentinels.replica.info("replication"))["role"] == "master"  # the dialog lives on the new primary


async def test_a_primary_killed_while_an_answer_is_handled_leaves_no_lock_behind_on_the_promoted_replica(
    sentinels: SentinelSet, primary: Redis, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs,
    clock: ManualClock,
) -> None:
    store = RedisDialogStore(primary, codec, wait=2)  # the lock left behind would outlast this wait (60 s)
    channel = TextChannel()
    assistant = Assistant(store, PortalKillingThePrimary(portal, sentinels), catalogs, clock)  # type: ignore[arg-type]
    citizen = Citizen(Switchboard(assistant, catalogs, {KEY.bot: channel}), channel)
    for event in (Command("start"), Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile")):
        await citizen.send(event)
    unavailable = catalogs.render(STORE_UNAVAILABLE, "vi")

    assert await citizen.send(Said(ID_NUMBER)) == unavailable  # checked, but its save found the primary dead
    await sentinels.promoted()
    assert "Bước 2/8" in await citizen.send(Said(ID_NUMBER))  # "send your last message again": not busy
    assert channel.said.count(unavailable) == 1


async def test_the_sentinels_and_the_data_nodes_are_each_given_their_own_password(tmp_path: Path) -> None:
    servers = await SentinelSet(tmp_path, data_password="data-pass", sentinel_password="watch-pass").start()
    try:
        async with open_redis(parse_redis_url(servers.url), timeout=2) as client:
            await client.set("written", "through the sentinels")
        stored = servers.primary.client()
        try:
            assert await stored.get("written") == b"through the sentinels"
        finally:
            await stored.aclose()
        without = servers.url.replace("?sentinel_password=watch-pass", "")  # the data password is not theirs
        async with open_redis(parse_redis_url(without), timeout=2) as client:
            with pytest.raises(RedisError, match="No master found"):
                await client.get("written")
    finally:
        await servers.stop()


async def test_a_burst_beyond_the_connection_limit_waits_for_the_primary_instead_of_failing(primary: Redis) -> None:
    # Each BLPOP holds a connection for 0.2 s: more at once than the pool has must queue, as on one server.
    answers = await asyncio.gather(*(primary.blpop(["empty"], timeout=0.2) for _ in range(REDIS_CONNECTIONS + 50)))
    assert answers == [None] * (REDIS_CONNECTIONS + 50)
