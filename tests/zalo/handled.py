"""What the fake OA sent a citizen, read once the events delivered to an in-process bot are handled."""

from __future__ import annotations

import asyncio

from bot.core.inflight import InFlight
from tests.fakezalo import FakeZaloOA
from tests.fakezalo.messages import Sent


async def sent_after_handling(oa: FakeZaloOA, in_flight: InFlight, citizen: str, seen: int) -> list[Sent]:
    """The messages to `citizen` after the first `seen`, once every event delivered so far is handled."""
    await asyncio.sleep(0)  # the event's task starts before its 200 is read; not a wait for time
    await in_flight.drain(30)
    return oa.sent_to(citizen)[seen:]
