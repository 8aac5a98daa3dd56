"""Carry out a chat's Bot API calls in order, within Telegram's flood limits, without losing any.

Limits (core.telegram.org/bots/faq#broadcasting-to-users) count messages:
about 30 a second per bot, about one a second per chat with short bursts,
20 a minute per group. So only calls that post a message are paced
(`PACED`: sendMessage, sendPhoto, copyMessage, and createForumTopic, which
posts in the group): each chat's by its token bucket (`core.pacing`), then
the bot-wide budget shared by every worker through Redis
(`core.message_budget`). Answering a press, edits, deletions and reads go
at once: a pressed keyboard must not wait behind the messages it answers.

A 429 is waited out for its `retry_after` (nothing more goes to that chat
before then) and the same call is tried again; a network error or 5xx is
retried with exponential backoff. Each chat's calls go one at a time (the
caller holds the chat's turn), so a wait never lets a later reply overtake
an earlier one. A citizen who blocked the bot (403) is reported once and
the rest of that batch is dropped on purpose.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.channels.telegram.actions import (
    Action,
    Blocked,
    BotCalls,
    CopyMessage,
    CreateTopic,
    Rejected,
    Result,
    RetryAfter,
    SendMessage,
    SendPhoto,
    Transient,
)
from bot.core.message_budget import MessageBudget
from bot.core.pacing import ChatPacing
from bot.ops import metrics

log = logging.getLogger(__name__)


PACED = (SendMessage, SendPhoto, CopyMessage, CreateTopic)  # what Telegram's message limits count


class Delivery:
    def __init__(
        self,
        calls: BotCalls,
        on_blocked: Callable[[int], Awaitable[None]],
        chats: ChatPacing | None = None,
        budget: MessageBudget | None = None,
        transient_tries: int = 6,
        backoff: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`chats`, `budget`: the per-chat and the bot-wide limits; None: not paced (tests, benchmarks)."""
        self._calls = calls
        self._on_blocked = on_blocked
        self._chats = chats
        self._budget = budget
        self._transient_tries = transient_tries
        self._backoff = backoff
        self._clock = clock
        self._sleep = sleep

    async def deliver(self, chat_id: int, actions: Sequence[Action]) -> bool:
        """Make `actions` in order; False when the chat blocked the bot (the rest not made). Callers give each
        chat one turn at a time (see `KeyedLock`)."""
        messages = sum(1 for action in actions if isinstance(action, PACED))
        for action in actions:
            in_hand = messages
            messages -= isinstance(action, PACED)
            try:
                await self._call(chat_id, action, in_hand)
            except Blocked:
                log.info("chat %s blocked the bot; %d call(s) not made", chat_id, len(actions))
                await self._on_blocked(chat_id)
                return False
            except Rejected as error:
                log.info("chat %s: %s refused: %s", chat_id, type(action).__name__, error)
        return True

    async def blocked(self, chat_id: int) -> None:
        """Record a 403 met by a caller of `call` (which leaves it to them), as `deliver` records its own."""
        await self._on_blocked(chat_id)

    async def call(self, chat_id: int, action: Action, messages: int = 1) -> Result:
        """Make one call, paced and retried, and answer its result; `messages`: how many the caller has in hand,
        this one included (the budget leases them together).

        Raises `Blocked` and `Rejected` (the caller decides what they mean) and `Transient` once
        the retries are spent.
        """
        failures = 0
        method = type(action).__name__
        while True:
            await self._pace(action, messages)
            try:
                result = await self._calls.execute(action)
            except RetryAfter as error:
                metrics.telegram_call(method, "429")
                log.warning("flood limit in chat %s: waiting %.1f s", chat_id, error.seconds)
                if self._chats is not None and isinstance(action, PACED):
                    self._chats.hold(action.chat_id, self._clock() + error.seconds)
                await self._sleep(error.seconds)
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
                await self._sleep(self._backoff * 2 ** (failures - 1))
            else:
                metrics.telegram_call(method, "ok")
                return result

    async def _call(self, chat_id: int, action: Action, messages: int) -> None:
        try:
            await self.call(chat_id, action, messages)
        except Transient as error:
            log.error("chat %s: %s not delivered after %d tries: %s",
                      chat_id, type(action).__name__, self._transient_tries, error)

    async def _pace(self, action: Action, messages: int) -> None:
        """Wait for a message's place: its chat's bucket, then the bot-wide budget. Other calls go at once."""
        if not isinstance(action, PACED):
            return
        if self._chats is not None:
            now = self._clock()
            at = self._chats.reserve(action.chat_id, now)
            if at > now:
                await self._sleep(at - now)
        if self._budget is not None:
            await self._budget.acquire(messages)
