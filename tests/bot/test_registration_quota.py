"""Registrations started per day, per Telegram user, per ID number and per phone: real Redis, real portal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.app.runtime import running
from bot.app.settings import Settings
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.pseudonyms import Pseudonyms
from bot.core.registration_quota import RedisRegistrationQuota, RegistrationLimits, shard_of
from bot.portal.client import PortalClient
from bot.storage import DialogStore
from bot.storage.keys import registration_quota, registration_quota_hour
from conversations.dialog import StepName
from conversations.events import Pressed
from conversations.portal import Registration
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE, Citizen, Sandbox, everything_in
from tests.clock import ManualClock

# The same birth date (05/09/1990) fits each of these CCCD numbers; none of these numbers has an account.
IDS = ["001090012345", "001090054321", "001090011111", "001090022222"]
PHONES = ["0821234088", "0821234089", "0821234090", "0821234091"]
REFUSED_VI = "quá nhiều lượt đăng ký"


def e164(phone: str) -> str:
    return "+84" + phone[1:]


@pytest.fixture
def quota(redis: Redis) -> RedisRegistrationQuota:
    return RedisRegistrationQuota(redis, Pseudonyms(b"test secret"), RegistrationLimits(3, 3, 3))


@pytest.fixture
def limited(store: DialogStore, portal: PortalClient, catalogs: Catalogs, clock: ManualClock,
            quota: RedisRegistrationQuota) -> Assistant:
    return Assistant(store, portal, catalogs, clock, quota=quota.for_dialog)


async def until_review(citizen: Citizen, id_number: str = ID_NUMBER, phone: str = PHONE) -> None:
    await citizen.start()
    for answer in (Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
                   id_number, NAME, BIRTH, phone, Pressed("email:skip")):
        await citizen.send(answer)
    assert await citizen.step() == StepName.REVIEW


async def all_sms(sandbox: Sandbox) -> int:
    return sum([len(await sandbox.outbox(e164(phone))) for phone in PHONES])


async def submit(citizen: Citizen) -> str:
    return await citizen.press("review:submit")


@pytest.mark.parametrize("shared", ["user", "id", "phone"])
async def test_a_fourth_registration_in_a_day_is_refused_with_when_to_come_back(
    limited: Assistant, sandbox: Sandbox, clock: ManualClock, shared: str,
) -> None:
    """Four registrations share one Telegram user, one ID number or one phone; the rest differs."""
    people = []
    for n in range(4):
        citizen = Citizen(limited, sandbox, user="77" if shared == "user" else f"7{n}")
        id_number, phone = IDS[0 if shared == "id" else n], PHONES[0 if shared == "phone" else n]
        await until_review(citizen, id_number, phone)
        people.append((citizen, phone))
        if n < 3:
            await submit(citizen)
            assert await citizen.step() == StepName.OTP, citizen.text
            await citizen.send("/cancel")  # the same user may start afresh: a new registration
            clock.advance(60)

    citizen, _phone = people[3]
    before, sms_before = await citizen.dialog(), await all_sms(sandbox)
    texts = await submit(citizen)
    # The first one was started at 10:00 in Vietnam on 26 November: a place frees at 10:00 the next day.
    assert REFUSED_VI in texts and "10:00 ngày 27 tháng 11, 2026" in texts
    assert "Bước 6/8" in texts  # the same question again
    assert await citizen.dialog() == before
    assert await all_sms(sandbox) == sms_before == 3  # nothing reached the portal

    clock.advance(24 * 3600 - 3 * 60 - 1)  # a second before the first place frees
    assert REFUSED_VI in await submit(citizen)
    clock.advance(1)
    await submit(citizen)
    assert await citizen.step() == StepName.OTP


async def test_submitting_the_same_form_again_is_not_a_new_registration(
    limited: Assistant, sandbox: Sandbox,
) -> None:
    citizen = Citizen(limited, sandbox, user="80")
    await until_review(citizen)
    for _ in range(5):  # a double tap, or /back from the code and "Register" again
        await submit(citizen)
        assert await citizen.step() == StepName.OTP, citizen.text
        await citizen.send("/back")
    for n in (1, 2):  # so two more registrations fit in the day…
        await citizen.send("/cancel")
        await until_review(citizen, IDS[n], PHONES[n])
        await submit(citizen)
        assert await citizen.step() == StepName.OTP
    await citizen.send("/cancel")
    await until_review(citizen, IDS[3], PHONES[3])
    assert REFUSED_VI in await submit(citizen)  # …and not a third


async def test_english_dialogs_are_told_in_english(limited: Assistant, sandbox: Sandbox) -> None:
    for n in range(4):
        citizen = Citizen(limited, sandbox, user=f"9{n}")
        await citizen.start("en")
        for answer in (Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
                       ID_NUMBER, NAME, BIRTH, PHONES[n], Pressed("email:skip")):
            await citizen.send(answer)
        text = await submit(citizen)
    assert "Too many registrations have been started today" in text
    assert "after 10:00 on November 27, 2026 (Vietnam time)" in text


async def test_redis_holds_hashed_identifiers_only(
    limited: Assistant, sandbox: Sandbox, redis: Redis,
) -> None:
    for n in range(2):
        citizen = Citizen(limited, sandbox, user=f"6{n}")
        await until_review(citizen, IDS[n], PHONES[n])
        await submit(citizen)
    dump = await everything_in(redis)
    counters = [key async for key in redis.scan_iter("regbot:quota:*")]
    assert len(counters) <= 6 and sum([await redis.hlen(key) for key in counters]) == 6  # a user, an ID and a
    # phone for each of the two, in the hour's hashes everyone counted in it shares
    for secret in (*IDS[:2], *PHONES[:2], *(e164(phone) for phone in PHONES[:2]), *(p[1:] for p in PHONES[:2])):
        assert secret.encode() not in dump


async def test_limits_come_from_the_settings(
    redis_url: str, redis: Redis, sandbox: Sandbox, tmp_path: Path,
) -> None:
    settings = Settings(redis_url=redis_url, portal_url=sandbox.url, data_dir=tmp_path,
                        registrations_per_id=1, registrations_per_user=0, registrations_per_phone=0)
    async with running(settings, clock=ManualClock()) as runtime:
        first = Citizen(runtime.assistant, sandbox, user="51")
        await until_review(first, IDS[0], PHONES[0])
        await submit(first)
        assert await first.step() == StepName.OTP
        second = Citizen(runtime.assistant, sandbox, user="52")  # another Telegram user, the same ID
        await until_review(second, IDS[0], PHONES[1])
        assert REFUSED_VI in await submit(second)


def registration(n: int) -> Registration:
    return Registration(IDS[n], NAME, date(1990, 9, 5), e164(PHONES[n]), None)


async def test_the_citizens_of_one_hour_share_a_hash_with_a_short_field_each(
    quota: RedisRegistrationQuota, redis: Redis,
) -> None:
    """Each citizen who submits is counted three times for a day: a few bytes each in the hour's hash, not three
    keys of their own (about 100 bytes each before any value)."""
    started = datetime(2026, 11, 26, 3, 20, tzinfo=UTC)
    await quota.claim("61", registration(0), "form 1", started)
    await quota.claim("63", registration(1), "form 2", started + timedelta(minutes=30))
    hour = registration_quota_hour(int(started.timestamp()) // 3600, 0).removesuffix(":0")
    counters = [key.decode() async for key in redis.scan_iter("regbot:quota:*")]
    assert counters and all(key.startswith(hour + ":") for key in counters)  # the hour's, one of its shards
    fields = {name: value for key in counters for name, value in (await redis.hgetall(key)).items()}
    assert len(fields) == 6 and {(len(name), len(value)) for name, value in fields.items()} == {(12, 12)}
    until = timedelta(days=1, minutes=40).total_seconds()  # a day after the hour's end (from 3:20, the first claim)
    for key in counters:
        assert await redis.object("encoding", key) in (b"ziplist", b"listpack")  # Redis's compact form
        assert 0 < await redis.ttl(key) <= until


async def test_a_registration_counts_for_exactly_a_day_across_the_hours(
    quota: RedisRegistrationQuota, redis: Redis,
) -> None:
    started = datetime(2026, 11, 26, 3, 59, 59, tzinfo=UTC)
    for n in range(3):  # three registrations of Telegram user 64, in three hours
        assert await quota.claim("64", registration(n), f"form {n}", started + timedelta(hours=n)) is None
    assert len({key.rsplit(b":", 1)[0] async for key in redis.scan_iter("regbot:quota:*")}) == 3  # three hours'
    a_day_later = started + timedelta(days=1)
    assert await quota.claim("64", registration(3), "form 3", a_day_later - timedelta(seconds=1)) == a_day_later
    assert await quota.claim("64", registration(1), "form 1", a_day_later) is None  # counted before: still is
    assert await quota.claim("64", registration(3), "form 3", a_day_later) is None


async def test_counters_left_by_the_earlier_release_still_count_and_move_into_the_hours(
    quota: RedisRegistrationQuota, redis: Redis,
) -> None:
    """Sorted sets by epoch ms, named by the registration's 32-hex keyed hash: read as they were."""
    pseudonyms = Pseudonyms(b"test secret")
    started = datetime(2026, 11, 26, 3, tzinfo=UTC)
    user = registration_quota("user", pseudonyms.of("user", "62"))
    for n in range(3):  # three registrations by Telegram user 62, an hour apart, under the earlier release
        member = pseudonyms.of("registration", f"form {n}")
        await redis.zadd(user, {member: int((started + timedelta(hours=n)).timestamp() * 1000)})
    await redis.pexpire(user, 24 * 3600 * 1000)

    later = started + timedelta(hours=5)
    assert await quota.claim("62", registration(0), "form 0", later) is None  # the same form again: not counted
    assert not await redis.exists(user)
    field = bytes.fromhex(pseudonyms.of("user", "62")[:24])
    for n in range(3):  # each in the hash of the hour it started in
        hour = registration_quota_hour(int((started + timedelta(hours=n)).timestamp()) // 3600,
                                       shard_of(pseudonyms.of("user", "62")))
        assert len(await redis.hget(hour, field) or b"") == 12
    assert await quota.claim("62", registration(3), "form 3", later) == started + timedelta(days=1)
    assert await quota.claim("62", registration(3), "form 3", started + timedelta(days=1)) is None


async def test_a_compact_counter_of_the_last_release_still_counts(quota: RedisRegistrationQuota, redis: Redis) -> None:
    """A string of 12-byte entries (start second, 8 bytes of the registration's hash) under the phone's own key."""
    pseudonyms = Pseudonyms(b"test secret")
    started = datetime(2026, 11, 26, 3, tzinfo=UTC)
    phone = registration_quota("phone", pseudonyms.of("phone", registration(0).phone))
    entries = b"".join(int((started + timedelta(minutes=n)).timestamp()).to_bytes(4, "big")
                       + bytes.fromhex(pseudonyms.of("registration", f"form {n}")[:16]) for n in range(3))
    await redis.set(phone, entries, px=24 * 3600 * 1000)

    later = started + timedelta(hours=2)
    assert await quota.claim("65", registration(0), "form 4", later) == started + timedelta(days=1)
    assert await redis.get(phone) == entries  # a refusal writes nothing
    assert await quota.claim("66", registration(0), "form 1", later) is None  # a retried form: not counted again
    assert not await redis.exists(phone)
    assert await quota.claim("67", registration(0), "form 5", later) == started + timedelta(days=1)
