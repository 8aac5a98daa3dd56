"""A clock the test moves by hand, so expiries and cooldowns need no sleeping.

Pass it wherever code takes `Callable[[], datetime]` (the sandbox portal,
the assistant); call `advance(seconds)` to let time pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        """Move time forward (never backward) and answer the new now."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self.now += timedelta(seconds=seconds)
        return self.now

    def __repr__(self) -> str:
        return f"ManualClock({self.now.isoformat()})"
