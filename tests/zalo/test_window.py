"""Zalo's 7-day window kept beside each citizen's dialog, in real Redis, on the tests' clock."""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from bot.channels.zalo.window import ConsultationWindow
from bot.storage import DialogKey
from tests.clock import ManualClock

CITIZEN = DialogKey("zalo:1234", "u1", "u1")


async def window_after(redis: Redis, clock: ManualClock, seconds: float) -> bool:
    """Whether the window is open `seconds` on: Redis expires the key on its own clock, so the key's
    remaining life is checked against the test's instead of waiting."""
    ttl_ms = await redis.pttl(CITIZEN.interacted)
    return ttl_ms > seconds * 1000


async def test_an_interaction_opens_the_window_for_7_days_from_the_event_s_time(
    redis: Redis, clock: ManualClock,
) -> None:
    window = ConsultationWindow(redis, clock)
    assert not await window.is_open(CITIZEN)
    await window.interacted(CITIZEN, clock.now - timedelta(days=1))
    assert await window.is_open(CITIZEN)
    assert await window_after(redis, clock, 6 * 24 * 3600 - 60)
    assert not await window_after(redis, clock, 6 * 24 * 3600 + 60)


async def test_an_old_event_handled_late_neither_opens_nor_shortens_it(redis: Redis, clock: ManualClock) -> None:
    window = ConsultationWindow(redis, clock)
    await window.interacted(CITIZEN, clock.now - timedelta(days=8))
    assert not await window.is_open(CITIZEN)
    await window.interacted(CITIZEN, clock.now)
    await window.interacted(CITIZEN, clock.now - timedelta(days=3))
    assert await window_after(redis, clock, 7 * 24 * 3600 - 60)


async def test_zalo_s_refusal_closes_it(redis: Redis, clock: ManualClock) -> None:
    window = ConsultationWindow(redis, clock)
    await window.interacted(CITIZEN, clock.now)
    await window.closed(CITIZEN)
    assert not await window.is_open(CITIZEN)
