"""The numbered list a dialog was last asked, so that a typed number answers it (Zalo shows at most 5 buttons).

A question with 6 or more choices goes out as a numbered list (render.py);
its button ids, in order, are kept beside the dialog until the next answer
without one, so "3" is the third choice whichever worker reads it. Any other
answer forgets the list: a number typed later is an answer, not a choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from redis.asyncio import Redis

from bot.storage import DialogKey

KEPT_FOR = timedelta(hours=24)  # as long as an idle dialog lives (DIALOG_TTL's default)
MAX_DIGITS = 2


class NumberedLists:
    def __init__(self, redis: Redis, kept_for: timedelta = KEPT_FOR) -> None:
        self._redis = redis
        self._kept_for = kept_for

    async def asked(self, key: DialogKey, button_ids: Sequence[str]) -> None:
        """The dialog's latest answer ended with this list (empty: with none, so any list is forgotten)."""
        if button_ids:
            await self._redis.set(key.numbered, "\n".join(button_ids), px=int(self._kept_for.total_seconds() * 1000))
        else:
            await self._redis.delete(key.numbered)

    async def chosen(self, key: DialogKey, text: str) -> str | None:
        """The button id a typed number stands for in the dialog's list; None when it is not one of its numbers."""
        typed = text.strip()
        if not (typed.isascii() and typed.isdigit() and len(typed) <= MAX_DIGITS):
            return None
        kept = await self._redis.get(key.numbered)
        ids = (kept.decode() if isinstance(kept, bytes) else str(kept)).split("\n") if kept else []
        number = int(typed)
        return ids[number - 1] if 1 <= number <= len(ids) else None
