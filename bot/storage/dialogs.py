"""What the rest of the bot knows of the dialog store: its interface, its exceptions, its values.

The assistant, the channels and the web app handle dialogs through this
`DialogStore` protocol and never import the Redis implementation
(bot/storage/redis_store.py, `RedisDialogStore`), which only the code that
builds the runtime names. So the store can be replaced (or faked in a
test) without touching them, and importing this module pulls in no Redis
client.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from bot.storage.keys import DialogKey
from conversations.dialog import Dialog

log = logging.getLogger(__name__)

__all__ = [
    "AlreadyHandled", "Counted", "DialogBusy", "DialogKey", "DialogStore", "Held", "LockLost", "Tally",
    "UnreadableDialog", "load_readable",
]


class UnreadableDialog(Exception):
    """A stored dialog that this release cannot read (other key, other schema, bad JSON, invalid values).

    Its message says why by error types and counts, never by value: it may be logged."""


class DialogBusy(Exception):
    """The dialog stayed locked longer than we are willing to wait."""


class AlreadyHandled(Exception):
    """This event (e.g. a re-delivered Telegram update) was handled before: do not handle it again.

    `answer`: what it was answered, if that may not have been sent (see `Held.answer`); given once.
    """

    def __init__(self, key: str, answer: bytes | None = None) -> None:
        super().__init__(key)
        self.answer = answer


class LockLost(Exception):
    """Handling outlived the lock; the result was not saved so as not to overwrite a newer one."""


class Tally(NamedTuple):
    """A counter of the sender's events, bumped by the round trip that takes the lock (the message rate):
    a busy dialog's retries and a re-delivered update are not counted again."""

    key: str
    window_ms: int


class Counted(NamedTuple):
    number: int  # this event's number in the counter's current window
    left_ms: int  # until the window ends


@dataclass(slots=True)
class Held:
    """A dialog under its lock: read `dialog`; set `save` to have it written on release, or `erase`
    to have it deleted with every key kept beside it (the updates handled, the links it was given)."""

    dialog: Dialog | None
    counted: Counted | None = None  # with a `Tally`
    save: Dialog | None = None
    erase: bool = False
    answer: bytes | None = None  # to an event with an id: kept sealed until the next, given back if it comes again
    unreadable: bool = False  # a document was there but could not be read: `dialog` is None, the citizen is told


class DialogStore(Protocol):
    """Where dialogs live between events, one lock per dialog."""

    def hold(
        self, key: DialogKey, event_id: str | None = None, tally: Tally | None = None,
    ) -> AbstractAsyncContextManager[Held]:
        """Lock the dialog, load it, and on a clean exit save `Held.save` (or erase it) and unlock.

        A document that cannot be read is held as no dialog, with `Held.unreadable` set: saving replaces it.

        Raises `DialogBusy` when the lock is not had in time, `AlreadyHandled` for an `event_id`
        handled before, and `LockLost` on exit when the lock expired before the save.
        `tally`: a counter bumped with the lock, its value in `Held.counted`.
        """
        ...

    async def load(self, key: DialogKey) -> Dialog | None:
        """Read without locking: for status views and tests, never for handling.

        Raises `UnreadableDialog` for a dialog this release cannot read."""
        ...

    def answer_sent(self, key: DialogKey, event_id: str) -> None:
        """The answer kept for `event_id` (see `Held.answer`) reached the citizen: it need not be kept."""
        ...

    async def mark_blocked(self, key: DialogKey) -> None:
        """The citizen blocked the bot: kept for as long as their dialog would be, for operators to see; only
        beside a dialog, so that a block met as /delete erases it leaves nothing naming them."""
        ...

    async def take_idle(self, bot: str, limit: int = 100) -> list[DialogKey]:
        """Dialogs of `bot` that fell idle, each given to one caller only."""
        ...


async def load_readable(store: DialogStore, key: DialogKey) -> Dialog | None:
    """The dialog, or None when there is none or it cannot be read: for a view (the help desk's card, the
    password form), which has nothing to show of a broken document; the citizen's next event replaces it."""
    try:
        return await store.load(key)
    except UnreadableDialog as error:
        log.warning("dialog %s:%s unreadable (%s); shown as none", key.bot, key.user, error)
        return None
