"""Help-desk keys written before they carried the bot's hash tag are moved once, TTLs and all, at start."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.helpdesk.cases import CaseStore, Status
from bot.helpdesk.migration import tag_desk_keys
from bot.storage import DialogKey
from bot.storage.keys import DeskKeys

BOT = 77


async def test_an_open_case_from_before_the_tag_is_found_by_its_citizen_and_topic_afterwards(redis: Redis) -> None:
    before = "regbot:desk:77:"  # as the release before issue 18 named them
    await redis.hset(before + "case:5", mapping={"id": "5", "chat_id": "6001", "user_id": "6001", "bot": "77",
                                                  "status": "waiting", "since": "1700000000", "topic": "345"})
    await redis.expire(before + "case:5", 1000)
    await redis.set(before + "citizen:6001:6001", "5", ex=1000)
    await redis.set(before + "topic:345", "5", ex=1000)
    await redis.zadd(before + "waiting", {"5": 1700000000})
    await redis.set(before + "seq", 5)
    await redis.set("regbot:desk:770:seq", 9)  # another bot's desk (its id starts alike): not this one's

    assert await tag_desk_keys(redis, BOT) == 5
    cases = CaseStore(redis, BOT)
    case = await cases.of_citizen(DialogKey("77", "6001", "6001"))
    assert case is not None and case.id == "5" and case.status is Status.WAITING
    assert (await cases.of_topic(345)) == case
    assert await cases.waiting_since() == [1700000000.0]
    assert 0 < await redis.ttl(DeskKeys(BOT).case("5")) <= 1000  # moved with what was left of its month
    assert await redis.ttl(DeskKeys(BOT).seq) == -1
    assert (await cases.open(DialogKey("77", "6002", "6002"))).id == "6"  # numbers go on from the old counter
    assert not await redis.keys(before + "*") and await redis.get("regbot:desk:770:seq") == b"9"


async def test_it_runs_once_and_keeps_what_was_written_under_the_new_name(redis: Redis) -> None:
    desk = DeskKeys(BOT)
    await redis.set("regbot:desk:77:seq", 5)
    await redis.set(desk.seq, 8)  # a worker of this release counted on meanwhile
    assert await tag_desk_keys(redis, BOT) == 0
    assert await redis.get(desk.seq) == b"8" and not await redis.exists("regbot:desk:77:seq")

    await redis.set("regbot:desk:77:staff", "written by an old worker after the move")
    assert await tag_desk_keys(redis, BOT) == 0  # the search ended for good: later starts cost one EXISTS
