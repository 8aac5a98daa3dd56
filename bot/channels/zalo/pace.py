"""The OA's sending pace: a bucket for all of its messages, and a pause after Zalo says -32.

Zalo publishes no per-OA rate (assumptions.py's SEND_RATE and SEND_BURST are
guesses), so the bucket keeps the OA well under what it has been seen to
take, and a -32 stops every send of this worker for RATE_LIMIT_PAUSE,
doubled while -32s follow each other. The bucket is core/pacing.py's, as
one chat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.channels.zalo import assumptions
from bot.core.pacing import ChatLimits, ChatPacing

_OA = 1  # the one "chat" the OA-wide bucket is kept under


class SendPace:
    def __init__(
        self, rate: float = assumptions.SEND_RATE, burst: int = assumptions.SEND_BURST,
        pause: float = assumptions.RATE_LIMIT_PAUSE, monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._pacing = ChatPacing(ChatLimits(burst=burst, interval=1.0 / rate))
        self._pause = pause
        self._limited_in_a_row = 0
        self._monotonic = monotonic
        self._sleep = sleep

    async def slot(self) -> None:
        """Wait for the OA's next slot to send."""
        now = self._monotonic()
        at = self._pacing.reserve(_OA, now)
        if at > now:
            await self._sleep(at - now)

    def rate_limited(self) -> float:
        """Zalo answered -32: hold every send for the pause (doubled at each -32 in a row); answer it."""
        pause = self._pause * 2.0 ** min(self._limited_in_a_row, 6)
        self._limited_in_a_row += 1
        self._pacing.hold(_OA, self._monotonic() + pause)
        return pause

    def went_through(self) -> None:
        self._limited_in_a_row = 0
