"""Messages per minute per Telegram user, counted in Redis before the dialog is touched.

A person answering questions sends a message every few seconds; a script,
a stuck key or a pasted flood sends far more, and each message would take
the dialog's lock and earn a reply that Telegram lets us send only about
once a second per chat. So the front counts every citizen update in a
window shared by all workers (one Redis round trip as it arrives, before
the dialog's lock) and, past the limit, tells the citizen once how many
seconds to wait. The rest of that window's messages are dropped unread
(button presses are still acknowledged so the client stops spinning); the
dialog stays exactly where it was. Help-desk staff are never limited: who
is staff is asked only of someone already over the limit, so citizens pay
nothing for it.

Why 30 a minute by default (`MESSAGE_RATE_LIMIT`, `MESSAGE_RATE_WINDOW`):
the whole registration is about 15 messages; 30 a minute leaves room for
quick taps and a pasted answer in pieces, while anything faster cannot be
answered in time anyway under Telegram's one-message-a-second-per-chat limit.
"""

from __future__ import annotations

import logging
import math
from contextlib import suppress
from typing import TYPE_CHECKING, NamedTuple

from redis.asyncio import Redis

from bot.i18n import Catalogs
from bot.pseudonyms import Pseudonyms
from bot.storage.codec import UnreadableDialog
from bot.telegram.actions import AnswerCallback, Blocked, Rejected, SendMessage, Transient
from bot.telegram.texts import TOO_FAST
from bot.telegram.updates import Incoming
from conversations.dialog import Language

if TYPE_CHECKING:
    from bot.telegram.front import TelegramFront

log = logging.getLogger(__name__)

# KEYS: the user's counter. ARGV: window (ms). → {messages in this window, ms until it ends}
_COUNT = """
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if count == 1 or left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}
"""


class Counted(NamedTuple):
    number: int  # this update's number in the sender's current window
    left_ms: int  # until the window ends


class MessageRate:
    def __init__(
        self, front: TelegramFront, redis: Redis, catalogs: Catalogs, pseudonyms: Pseudonyms, limit: int,
        window: float, default_language: Language = "vi",
    ) -> None:
        self._front = front
        self._catalogs = catalogs
        self._count = redis.register_script(_COUNT)
        self._pseudonyms = pseudonyms
        self._limit = limit
        self._window_ms = max(1, int(window * 1000))
        self._default_language = default_language

    async def count(self, incoming: Incoming) -> Counted:
        """Count `incoming` as it arrives (the front does this before waiting for the chat's turn)."""
        key = f"regbot:rate:{self._pseudonyms.of('telegram user', str(incoming.user_id))}"
        count, left_ms = await self._count(keys=[key], args=[self._window_ms])
        return Counted(int(count), int(left_ms))

    async def admits(self, incoming: Incoming, counted: Counted) -> bool:
        """In the chat's turn: False when the sender is over the limit (told once, the first time)."""
        number, left_ms = counted
        if number <= self._limit:
            return True
        desk = self._front.desk
        if desk is not None and await desk.is_staff(incoming.user_id):
            return True
        if number == self._limit + 1:
            log.info("user %s over %d messages in %.0f s: told to wait", incoming.user_id, self._limit,
                     self._window_ms / 1000)
            await self._tell(incoming, max(1, math.ceil(left_ms / 1000)))
        elif incoming.callback_id is not None:
            await self._call(incoming.chat_id, AnswerCallback(incoming.callback_id))
        return False

    async def _tell(self, incoming: Incoming, seconds: int) -> None:
        if incoming.callback_id is not None:
            await self._call(incoming.chat_id, AnswerCallback(incoming.callback_id))
        language = await self._language(incoming)
        text = self._catalogs.render(TOO_FAST.bind(seconds=seconds), language)
        await self._call(incoming.chat_id, SendMessage(incoming.chat_id, text))

    async def _language(self, incoming: Incoming) -> Language:
        """The dialog's language (read without its lock: nothing is written), else the user's Telegram one."""
        with suppress(UnreadableDialog):
            dialog = await self._front.store.load(self._front.dialog_key(incoming.chat_id, incoming.user_id))
            if dialog is not None:
                return dialog.language
        return incoming.language or self._default_language

    async def _call(self, chat_id: int, action: AnswerCallback | SendMessage) -> None:
        try:
            await self._front.delivery_call(chat_id, action)  # the front holds the chat's turn
        except Blocked:
            await self._front.record_blocked(chat_id)
        except (Rejected, Transient) as error:
            log.info("chat %s: %s not made: %s", chat_id, type(action).__name__, error)
