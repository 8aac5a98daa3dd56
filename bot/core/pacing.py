"""Telegram's per-chat limits as token buckets: a short burst at once, then the chat's steady rate.

Telegram allows a chat "about one message a second" with short bursts, and a
group 20 messages a minute (core.telegram.org/bots/faq#broadcasting-to-users).
Spacing every message a full second (as before issue 18) made a citizen wait
a second for the second line of an answer and carried the wait over to
their next answer; a bucket lets the three messages of the phone step go
out at once and waits only when a chat really sends faster than its rate.

Each bucket is kept as one number, the time it would be full again (the
"theoretical arrival time" of the generic cell rate algorithm): a message
may go at `full_at - burst × interval`, and pushes `full_at` on by one
interval. A bucket that is full again is the same as no bucket, so it is
forgotten, which keeps memory bounded by the chats active in the last few
seconds. A group also keeps the times of its last `per_minute` messages, so
that no 60 seconds ever hold more than Telegram's count, burst included.

Telegram counts a message when it arrives, and the one before it may have
arrived later than it left (a slow connection, a busy machine): a message
that had to wait for its slot goes `ARRIVAL_MARGIN` after it, so that
Telegram never sees less than a slot between the two. A burst is not
delayed.

Pure: no I/O, no sleeping; the caller passes the time (`time.monotonic`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

MINUTE = 60.0
ARRIVAL_MARGIN = 0.1  # seconds after its slot that a message which waited for it goes


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """`burst` messages at once, then one per `interval` s in a private chat, `group_per_minute` in a group."""

    burst: int = 3
    interval: float = 1.0
    group_per_minute: float = 20.0

    def __post_init__(self) -> None:
        if self.burst < 1 or self.interval < 0 or self.group_per_minute <= 0:
            raise ValueError(f"chat limits need burst >= 1, interval >= 0, group rate > 0: {self}")

    @property
    def group_interval(self) -> float:
        return MINUTE / self.group_per_minute


class ChatPacing:
    """When each chat's next message may go; a chat is a group when its id is negative (as in Telegram)."""

    def __init__(self, limits: ChatLimits) -> None:
        self._limits = limits
        self._full_at: dict[int, float] = {}
        self._group_sent: dict[int, deque[float]] = {}
        self._held_until: dict[int, float] = {}
        self._sweep_above = 1024

    def reserve(self, chat_id: int, now: float) -> float:
        """Take the chat's next slot and answer when it is (>= `now`): the caller sends then, in order."""
        group = chat_id < 0
        interval = self._limits.group_interval if group else self._limits.interval
        full_at = max(self._full_at.get(chat_id, now), now)
        slot = full_at + interval - self._limits.burst * interval
        at = max(now, slot + ARRIVAL_MARGIN if slot > now else now, self._held_until.get(chat_id, now))
        if group:
            at = max(at, self._group_window(chat_id, at))
            self._group_sent[chat_id].append(at)
        self._full_at[chat_id] = max(full_at, at) + interval
        self._forget_idle(now)
        return at

    def hold(self, chat_id: int, until: float) -> None:
        """Telegram answered 429 for this chat: nothing more goes to it before `until`."""
        self._held_until[chat_id] = max(until, self._held_until.get(chat_id, until))

    def tracked(self) -> int:
        """How many chats are remembered (for the test that idle ones are forgotten)."""
        return len(self._full_at.keys() | self._group_sent.keys() | self._held_until.keys())

    def _group_window(self, chat_id: int, at: float) -> float:
        """The earliest time from `at` when the group's last minute holds fewer than its count."""
        sent = self._group_sent.setdefault(chat_id, deque())
        count = max(1, math.floor(self._limits.group_per_minute))
        while len(sent) > count or (sent and sent[0] <= at - MINUTE):
            sent.popleft()
        return sent[0] + MINUTE + ARRIVAL_MARGIN if len(sent) >= count else at

    def _forget_idle(self, now: float) -> None:
        """Drop full buckets, finished holds and quiet groups once the maps double (amortised, O(1) a call)."""
        if len(self._full_at) + len(self._group_sent) + len(self._held_until) <= self._sweep_above:
            return
        self._full_at = {chat: at for chat, at in self._full_at.items() if at > now}
        self._held_until = {chat: at for chat, at in self._held_until.items() if at > now}
        self._group_sent = {chat: sent for chat, sent in self._group_sent.items() if sent and sent[-1] > now - MINUTE}
        self._sweep_above = max(1024, 2 * (len(self._full_at) + len(self._group_sent) + len(self._held_until)))
