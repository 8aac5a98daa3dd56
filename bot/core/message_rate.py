"""Messages per minute per dialog, on any channel, counted in Redis as the dialog is locked.

A person answering questions sends a message every few seconds; a script,
a stuck key or a pasted flood sends far more, and each message would take
the dialog's lock and earn a reply that Telegram lets us send only about
once a second per chat. So each citizen update is counted in a window
shared by all workers, by the same Lua script that locks and loads the
dialog (no round trip of its own; the counter is one of the dialog's keys,
in its Redis Cluster slot), and, past the limit, the citizen is
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

from bot.core.assistant import Gate
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.ports import Replies, StaffCheck
from bot.core.texts import TOO_FAST
from bot.ops import metrics
from bot.storage import Counted, Tally
from conversations.dialog import Language

log = logging.getLogger(__name__)


class MessageRate:
    def __init__(
        self, catalogs: Catalogs, limit: int, window: float, staff: StaffCheck | None = None,
    ) -> None:
        """`staff`: who is never limited (the help desk's members); None: nobody is exempt."""
        self._catalogs = catalogs
        self._limit = limit
        self._window_ms = max(1, int(window * 1000))
        self._staff = staff

    def gate(self, incoming: Incoming, replies: Replies) -> Gate:
        """What the assistant needs to count `incoming` and turn it away past the limit (told through `replies`)."""
        return Gate(Tally(incoming.key.message_rate, self._window_ms), partial(self._admits, incoming, replies))

    async def _admits(self, incoming: Incoming, replies: Replies, counted: Counted, language: Language) -> bool:
        """False when the sender is over the limit (told once, the first time)."""
        number, left_ms = counted
        if number <= self._limit:
            return True
        if self._staff is not None and await self._staff.is_staff(incoming.key):
            return True
        metrics.RATE_LIMITED.inc()
        text = None
        if number == self._limit + 1:
            log.info("user %s over %d messages in %.0f s: told to wait", incoming.key.user, self._limit,
                     self._window_ms / 1000)
            text = self._catalogs.render(TOO_FAST.bind(seconds=max(1, math.ceil(left_ms / 1000))), language)
        await replies.notice(incoming, text)  # a press is acknowledged all the same, so the client stops spinning
        return False

