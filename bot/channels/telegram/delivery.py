"""Carry out a chat's Bot API calls in order, within Telegram's flood limits, without losing any.

Limits (core.telegram.org/bots/faq#broadcasting-to-users): about 30 messages
a second per bot, one a second per chat, 20 a minute per group. A 429 is
waited out for its `retry_after` and the same call is tried again; a
network error or 5xx is retried with exponential backoff. Each chat's
calls go one at a time (the caller holds the chat's turn), so a wait never
lets a later reply overtake an earlier one. A citizen who blocked the bot
(403) is reported once and the rest of that batch is dropped on purpose.
Limits are per process: with several workers, divide `TELEGRAM_RATE`
between them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    BotCalls,
    Message,
    Rejected,
    Result,
    RetryAfter,
    Transient,
)
from bot.ops import metrics

log = logging.getLogger(__name__)


class Delivery:
    def __init__(
        self,
        calls: BotCalls,
        on_blocked: Callable[[int], Awaitable[None]],
        rate: float = 30.0,
        chat_interval: float = 1.0,
        group_interval: float = 3.0,  # Telegram: 20 messages a minute in a group
        transient_tries: int = 6,
        backoff: float = 0.5,
    ) -> None:
        self._calls = calls
        self._on_blocked = on_blocked
        self._interval = 1.0 / rate
        self._chat_interval = chat_interval
        self._group_interval = group_interval
        self._transient_tries = transient_tries
        self._backoff = backoff
        self._next_call = 0.0
        self._next_message: dict[int, float] = {}

    async def deliver(self, chat_id: int, actions: Sequence[Action]) -> None:
        """Make `actions` in order. Callers give each chat one turn at a time (see `KeyedLock`)."""
        for action in actions:
            try:
                await self._call(chat_id, action)
            except Blocked:
                log.info("chat %s blocked the bot; %d call(s) not made", chat_id, len(actions))
                await self._on_blocked(chat_id)
                return
            except Rejected as error:
                log.info("chat %s: %s refused: %s", chat_id, type(action).__name__, error)

    async def call(self, chat_id: int, action: Action) -> Result:
        """Make one call, paced and retried, and answer its result.

        Raises `Blocked` and `Rejected` (the caller decides what they mean) and `Transient` once
        the retries are spent.
        """
        failures = 0
        method = type(action).__name__
        while True:
            await self._pace(chat_id, action)
            try:
                result = await self._calls.execute(action)
            except RetryAfter as error:
                metrics.telegram_call(method, "429")
                log.warning("flood limit in chat %s: waiting %.1f s", chat_id, error.seconds)
                await asyncio.sleep(error.seconds)
            except Blocked:
                metrics.telegram_call(method, "blocked")
                raise
            except Rejected:
                metrics.telegram_call(method, "rejected")
                raise
            except Transient:
                metrics.telegram_call(method, "transient")
                failures += 1
                if failures >= self._transient_tries:
                    raise
                await asyncio.sleep(self._backoff * 2 ** (failures - 1))
            else:
                metrics.telegram_call(method, "ok")
                return result

    async def _call(self, chat_id: int, action: Action) -> None:
        try:
            await self.call(chat_id, action)
        except Transient as error:
            log.error("chat %s: %s not delivered after %d tries: %s",
                      chat_id, type(action).__name__, self._transient_tries, error)

    async def _pace(self, chat_id: int, action: Action) -> None:
        """Wait for this call's slot: the bot-wide rate, and for messages the chat's own."""
        now = time.monotonic()
        slot = max(now, self._next_call)
        self._next_call = slot + self._interval
        if isinstance(action, Message):
            slot = max(slot, self._next_message.get(chat_id, 0.0))
            self._next_message[chat_id] = slot + (self._group_interval if chat_id < 0 else self._chat_interval)
            if len(self._next_message) > 10_000:
                self._next_message = {chat: at for chat, at in self._next_message.items() if at > now}
        elif isinstance(action, AnswerCallback):
            slot = now  # answering a press is not a message and must be quick
        if slot > now:
            await asyncio.sleep(slot - now)
