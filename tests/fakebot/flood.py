"""Telegram's flood limit for groups: a bot may post about 20 messages a minute in one group.

Beyond that Telegram answers 429 with `retry_after`, the seconds until the
bot may post there again. The fake counts the messages the bot actually
created per group in a sliding window (refused calls do not count), so a
test can check the bot paces itself instead of leaning on retries.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from tests.fakebot.wire import ApiError


class GroupFlood:
    """When each group got its recent bot messages, and how many sends were refused for posting too fast."""

    def __init__(self) -> None:
        self.refused = 0
        self._sent: defaultdict[int, deque[float]] = defaultdict(deque)

    def admit(self, chat_id: int, limit: tuple[int, float] | None) -> None:
        """Count one new message to the group, or refuse it with 429 if `limit` (count, window s) is reached.

        Without a limit nothing is counted, so setting one mid-test starts from an empty window.
        """
        if limit is None:
            return
        count, window = limit
        now = time.monotonic()
        sent = self._sent[chat_id]
        while sent and now - sent[0] >= window:
            sent.popleft()
        if len(sent) >= count:
            self.refused += 1
            oldest = sent[0] if sent else now
            retry_after = max(1, math.ceil(oldest + window - now))  # when the oldest counted one leaves
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        sent.append(now)
