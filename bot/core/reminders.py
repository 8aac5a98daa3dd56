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

from redis.exceptions import RedisError

from bot.channels.telegram.actions import Blocked, Rejected, Transient
from bot.channels.telegram.front import TelegramFront

log = logging.getLogger(__name__)


async def send_reminders(front: TelegramFront, after: float) -> None:
    """Run until cancelled (idle `after` seconds: see REMINDER_AFTER); a Redis outage only skips rounds."""
    if not after:
        return
    every = min(30.0, after / 4)
    while True:
        try:
            await _remind_idle(front)
        except (RedisError, OSError) as error:
            log.warning("reminders skipped this round: %s", type(error).__name__)
        await asyncio.sleep(every)


async def _remind_idle(front: TelegramFront) -> None:
    for key in await front.store.take_idle(str(front.bot_id)):
        try:
            if await front.remind(key):
                log.info("dialog %s:%s reminded after idling", key.bot, key.user)
        except (Blocked, Rejected, Transient) as error:
            log.info("dialog %s:%s not reminded: %s", key.bot, key.user, type(error).__name__)
