"""Telegram's flood limits as the benchmarks' Bot API enforces them: a call past one is answered 429.

What Telegram documents (core.telegram.org/bots/faq#broadcasting-to-users)
and what bots observe: about one message a second in a chat, with short
bursts allowed; about 30 messages a second for the whole bot; 20 a minute
in a group. Only calls that create a message count; `answerCallbackQuery`,
edits, deletions and the rest are not limited here (Telegram does not
publish a limit for them, and answering a press has none).

Each private chat has a token bucket (`chat_burst` tokens, one back every
`chat_interval` seconds), the bot a bucket of `bot_rate` tokens refilled at
`bot_rate` a second, and each group a sliding window of `group_per_minute`
messages. A refused call takes no token and is answered with `retry_after`
= the whole seconds until it would have been admitted (at least 1), as
Telegram does; the refusals are counted, so a run shows whether the bot
paced itself or leaned on 429s.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic

MESSAGE_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice", "sendAnimation",
    "sendSticker", "sendLocation", "sendContact", "sendMediaGroup", "sendPoll", "sendDice", "copyMessage",
    "copyMessages", "forwardMessage", "forwardMessages",
})


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


@dataclass(slots=True)
class TelegramLimits:
    chat_burst: int = 3
    chat_interval: float = 1.0
    bot_rate: float = 30.0
    group_per_minute: int = 20
    clock: Callable[[], float] = monotonic
    refused: int = 0
    refused_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _bot: _Bucket | None = None
    _groups: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def admit(self, method: str, chat_id: int | None) -> int | None:
        """None: the call may go ahead (a message is counted); else the `retry_after` of a 429."""
        if method not in MESSAGE_METHODS or chat_id is None:
            return None
        now = self.clock()
        bot = self._bot or _Bucket(self.bot_rate, now)
        self._bot = bot
        _refill(bot, now, self.bot_rate, self.bot_rate)
        waits = {"bot": (1 - bot.tokens) / self.bot_rate if bot.tokens < 1 else 0.0}
        if chat_id < 0:
            window = self._groups[chat_id]
            while window and now - window[0] >= 60.0:
                window.popleft()
            waits["group"] = window[0] + 60.0 - now if len(window) >= self.group_per_minute else 0.0
        else:
            chat = self._chats.setdefault(chat_id, _Bucket(float(self.chat_burst), now))
            _refill(chat, now, 1 / self.chat_interval, self.chat_burst)
            waits["chat"] = (1 - chat.tokens) * self.chat_interval if chat.tokens < 1 else 0.0
        limit, wait = max(waits.items(), key=lambda item: item[1])
        if wait > 0:
            self.refused += 1
            self.refused_by[limit] += 1
            return max(1, math.ceil(wait))
        bot.tokens -= 1
        if chat_id < 0:
            self._groups[chat_id].append(now)
        else:
            self._chats[chat_id].tokens -= 1
        return None


def _refill(bucket: _Bucket, now: float, per_second: float, capacity: float) -> None:
    bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * per_second)
    bucket.at = now
