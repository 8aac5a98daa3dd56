"""Who did what to which case, in a Redis stream that is only ever appended to.

Entries name people by Telegram id and fields by name — never a value — so
the log can be kept and shipped without becoming a store of personal data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.keys import AUDIT_STREAM

log = logging.getLogger(__name__)

MAX_ENTRIES = 1_000_000  # trimmed roughly beyond this


@dataclass(frozen=True, slots=True)
class Entry:
    at: datetime
    actor: str  # "staff:<telegram id>", "citizen" or "assistant"
    action: str  # handoff, claim, take, transfer, resume, reveal, reveal_refused, reveal_undelivered, close, …
    case: str
    detail: str = ""  # a reason, a step, a field name, the staff member handed to

    def line(self) -> str:
        return f"{self.at.isoformat(timespec='seconds')}  case {self.case}  {self.action:<13} {self.actor}  " \
               f"{self.detail}".rstrip()


class AuditLog:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def record(self, action: str, case: str, actor: str, detail: str = "", at: datetime | None = None) -> None:
        moment = (at or datetime.now(UTC)).isoformat()
        await self._redis.xadd(AUDIT_STREAM, {"at": moment, "actor": actor, "action": action, "case": case,
                                              "detail": detail}, maxlen=MAX_ENTRIES, approximate=True)

    async def written(self, action: str, case: str, actor: str, detail: str = "") -> bool:
        """Record, answering whether the entry was written: for what must not happen unrecorded (a reveal)."""
        try:
            await self.record(action, case, actor, detail)
        except RedisError as error:
            log.error("audit: %s of case %s not recorded: %s", action, case, type(error).__name__)
            return False
        return True

    async def entries(self, case: str | None = None, batch: int = 1000) -> list[Entry]:
        """Every entry, oldest first, or only those of one case."""
        found: list[Entry] = []
        start = "-"
        while True:
            chunk: Any = await self._redis.xrange(AUDIT_STREAM, min=start, max="+", count=batch)
            for _stream_id, raw in chunk:
                fields = {key.decode(): value.decode() for key, value in raw.items()}
                if case is None or fields.get("case") == case:
                    found.append(Entry(datetime.fromisoformat(fields["at"]), fields["actor"], fields["action"],
                                       fields["case"], fields.get("detail", "")))
            if len(chunk) < batch:
                return found
            start = "(" + chunk[-1][0].decode()


def staff_actor(user_id: int) -> str:
    return f"staff:{user_id}"
