"""Zalo's way in: each webhook event, once kept and answered 200, read and handed to the switchboard.

Every event of a citizen opens their 7-day window again (at the event's own
time); an unfollow is recorded as Telegram's block is. A typed message that
is a command word (command_words.py) is that command, and a typed number
answers the numbered list the dialog was last asked (numbered.py); anything
else is read by events.py. The switchboard takes the dialog's turn and its
Redis lock, so events of one citizen are handled one at a time, in order,
by whichever worker holds them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime

from bot.channels.zalo.command_words import command_word
from bot.channels.zalo.events import ZaloEvent, to_incoming
from bot.channels.zalo.numbered import NumberedLists
from bot.channels.zalo.window import ConsultationWindow
from bot.core.incoming import Incoming
from bot.core.switchboard import Switchboard
from bot.storage import DialogKey
from conversations.events import Pressed, Said


class ZaloFront:
    def __init__(
        self, switchboard: Switchboard, channel: str, fetch_image: Callable[[str], Awaitable[bytes]],
        window: ConsultationWindow, numbered: NumberedLists, blocked: Callable[[DialogKey], Awaitable[None]],
    ) -> None:
        """`channel`: the OA's channel account (ZaloConfig.channel); `blocked`: records a citizen who left."""
        self._switchboard = switchboard
        self._channel = channel
        self._fetch_image = fetch_image
        self._window = window
        self._numbered = numbered
        self._blocked = blocked

    async def handle(self, event: ZaloEvent) -> None:
        key = DialogKey(self._channel, event.user_id, event.user_id)
        if event.unfollowed:
            await self._blocked(key)
            return
        await self._window.interacted(key, datetime.fromtimestamp(event.timestamp_ms / 1000, UTC))
        incoming = to_incoming(event, self._channel, self._fetch_image)
        if incoming is not None:
            await self._switchboard.handle(await self._typed(incoming), rated=True)

    async def _typed(self, incoming: Incoming) -> Incoming:
        """A command word as its command, a number of the dialog's numbered list as that choice's press."""
        if not isinstance(incoming.event, Said):
            return incoming
        command = command_word(incoming.event)
        if command is not None:
            return replace(incoming, event=command)
        chosen = await self._numbered.chosen(incoming.key, incoming.event.text)
        return replace(incoming, event=Pressed(chosen)) if chosen is not None else incoming
