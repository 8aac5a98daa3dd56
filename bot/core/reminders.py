"""The worker side of the idle reminder: every few seconds, nudge the citizens whose dialogs fell idle.

Every worker runs this loop; `DialogStore.take_idle` hands each idle dialog
to one of them only, so a citizen is nudged once per idle spell however
many workers there are, and a dialog that falls idle while every worker is
restarting is nudged once one is back. What the nudge says, and whether a
dialog deserves one, is `conversations.reminder`'s call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from redis.exceptions import RedisError

from bot.core.switchboard import Switchboard
from bot.storage import DialogStore

log = logging.getLogger(__name__)


async def send_reminders(switchboard: Switchboard, store: DialogStore, bots: Iterable[str], after: float) -> None:
    """Run until cancelled, for the dialogs of each channel account in `bots` (idle `after` seconds: see
    REMINDER_AFTER); a Redis outage only skips rounds."""
    if not after:
        return
    every = min(30.0, after / 4)
    while True:
        try:
            for bot in bots:
                for key in await store.take_idle(bot):
                    if await switchboard.remind(key):
                        log.info("dialog %s:%s reminded after idling", key.bot, key.user)
        except (RedisError, OSError) as error:
            log.warning("reminders skipped this round: %s", type(error).__name__)
        await asyncio.sleep(every)
