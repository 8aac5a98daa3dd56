"""A Redis reply lost on the way (the client times out and sends the command again) costs the citizen nothing.

Through a proxy that drops one reply, with the client the bot runs with
(bot/app/redis_clients.py: a short timeout, then a retry on a fresh connection):
the lock, already taken by the first try, is not mistaken for someone
else's, which kept the dialog "busy" until it expired; and a save, already
done by the first try, is not mistaken for a lost lock, which told the
citizen their answer was not kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.app.redis_clients import redis_client
from bot.storage import AlreadyHandled, DialogCodec, DialogKey, DialogStore, Tally
from bot.storage.redis_store import RedisDialogStore
from conversations.dialog import Dialog
from tests.redis_proxy import ReplyLosingProxy

KEY = DialogKey("test", "1", "1")
RATE = Tally("test:rate:1", 60_000)


@pytest.fixture
async def proxy(redis_url: str, tmp_path: Path) -> AsyncIterator[ReplyLosingProxy]:
    proxy = await ReplyLosingProxy(Path(redis_url.removeprefix("unix://")), tmp_path / "proxy.sock").start()
    yield proxy
    await proxy.stop()


@pytest.fixture
async def store(proxy: ReplyLosingProxy, redis: Redis, codec: DialogCodec) -> AsyncIterator[DialogStore]:
    """The store over the proxy, its scripts loaded and a connection open (as after the first update)."""
    client = redis_client(proxy.url, timeout=0.2)
    store = RedisDialogStore(client, codec, wait=2)
    async with store.hold(KEY, event_id="1", tally=RATE) as held:
        held.save = Dialog()
    yield store
    await client.aclose()


async def test_a_lost_reply_to_taking_the_lock_does_not_leave_the_dialog_busy(
    store: DialogStore, proxy: ReplyLosingProxy, redis: Redis,
) -> None:
    proxy.lose_next_reply()
    async with store.hold(KEY, event_id="2", tally=RATE) as held:
        assert held.counted is not None and held.counted.number == 2  # counted once, though run twice
        held.save = Dialog(language="en")
    assert proxy.lost == 1
    assert await store.load(KEY) == Dialog(language="en")
    assert not await redis.exists(KEY.lock)


async def test_a_lost_reply_to_the_save_is_not_taken_for_a_lost_lock(
    store: DialogStore, proxy: ReplyLosingProxy, redis: Redis,
) -> None:
    async with store.hold(KEY, event_id="2", tally=RATE) as held:
        held.save = Dialog(language="en")
        proxy.lose_next_reply()
    assert proxy.lost == 1
    assert await store.load(KEY) == Dialog(language="en")
    assert not await redis.exists(KEY.lock)
    with pytest.raises(AlreadyHandled):
        async with store.hold(KEY, event_id="2", tally=RATE):
            pass


async def test_a_lost_reply_to_erasing_is_not_taken_for_a_lost_lock(
    store: DialogStore, proxy: ReplyLosingProxy, redis: Redis,
) -> None:
    """/delete: the citizen is told their data is gone, not that the bot is unavailable."""
    async with store.hold(DialogKey("test", "2", "2")) as held:
        held.erase = True  # the script loaded, as after any earlier /delete
    async with store.hold(KEY, event_id="2") as held:
        held.erase = True
        proxy.lose_next_reply()
    assert proxy.lost == 1
    assert not await redis.exists(KEY.dialog, KEY.handled, KEY.lock)
