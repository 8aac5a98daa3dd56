"""Messages per minute per Telegram user, counted in Redis as the dialog is locked.

A person answering questions sends a message every few seconds; a script,
a stuck key or a pasted flood sends far more, and each message would take
the dialog's lock and earn a reply that Telegram lets us send only about
once a second per chat. So each citizen update is counted in a window
shared by all workers, by the same Lua script that locks and loads the
dialog (no round trip of its own), and, past the limit, the citizen is
told once, in the dialog's language, how many seconds to wait. The rest of
that window's messages are dropped unread (button presses are still
acknowledged so the client stops spinning); the dialog stays exactly where
it was. Help-desk staff are never limited: who is staff is asked only of
someone already over the limit, so citizens pay nothing for it.

Why 30 a minute by default (`MESSAGE_RATE_LIMIT`, `MESSAGE_RATE_WINDOW`):
the whole registration is about 15 messages; 30 a minute leaves room for
quick taps and a pasted answer in pieces, while anything faster cannot be
answered in time anyway under Telegram's one-message-a-second-per-chat limit.
"""

from __future__ import annotations

import logging
import math
from functools import partial
from typing import TYPE_CHECKING

from bot.channels.telegram.actions import AnswerCallback, Blocked, Rejected, SendMessage, Transient
from bot.channels.telegram.texts import TOO_FAST
from bot.channels.telegram.updates import Incoming
from bot.core.assistant import Gate
from bot.core.i18n import Catalogs
from bot.core.pseudonyms import Pseudonyms
from bot.ops import metrics
from bot.storage import Counted, Tally
from bot.storage.keys import message_rate
from conversations.dialog import Language

if TYPE_CHECKING:
    from bot.channels.telegram.front import TelegramFront

log = logging.getLogger(__name__)


class MessageRate:
    def __init__(
        self, front: TelegramFront, catalogs: Catalogs, pseudonyms: Pseudonyms, limit: int, window: float,
    ) -> None:
        self._front = front
        self._catalogs = catalogs
        self._pseudonyms = pseudonyms
        self._limit = limit
        self._window_ms = max(1, int(window * 1000))

    def gate(self, incoming: Incoming) -> Gate:
        """What the assistant needs to count `incoming` and turn it away past the limit."""
        key = message_rate(self._pseudonyms.of('telegram user', str(incoming.user_id)))
        return Gate(Tally(key, self._window_ms), partial(self._admits, incoming))

    async def _admits(self, incoming: Incoming, counted: Counted, language: Language) -> bool:
        """False when the sender is over the limit (told once, the first time)."""
        number, left_ms = counted
        if number <= self._limit:
            return True
        desk = self._front.desk
        if desk is not None and await desk.is_staff(incoming.user_id):
            return True
        metrics.RATE_LIMITED.inc()
        if incoming.callback_id is not None:
            await self._call(incoming.chat_id, AnswerCallback(incoming.callback_id))
        if number == self._limit + 1:
            log.info("user %s over %d messages in %.0f s: told to wait", incoming.user_id, self._limit,
                     self._window_ms / 1000)
            text = self._catalogs.render(TOO_FAST.bind(seconds=max(1, math.ceil(left_ms / 1000))), language)
            await self._call(incoming.chat_id, SendMessage(incoming.chat_id, text))
        return False

    async def _call(self, chat_id: int, action: AnswerCallback | SendMessage) -> None:
        try:
            await self._front.delivery_call(chat_id, action)  # the front holds the chat's turn
        except Blocked:
            await self._front.record_blocked(chat_id)
        except (Rejected, Transient) as error:
            log.info("chat %s: %s not made: %s", chat_id, type(action).__name__, error)
