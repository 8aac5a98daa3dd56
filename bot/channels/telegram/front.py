"""Telegram's way in: each update read into an `Incoming` and handed to the switchboard.

Every update comes here, polled or posted to the webhook: a citizen's
everyday one read straight from its JSON (`citizen_json.py`), any other
parsed by the framework's adapter. A citizen's update goes to the switchboard (which answers it
through `TelegramReplies`); everything else Telegram sends the bot — the
staff group's traffic, a citizen's edits — goes to the help desk's staff
side, when there is one. In polling mode each update is kept in Redis
until handled (`polling.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

from redis.asyncio import Redis

from bot.channels.telegram.actions import Blocked, DownloadFile, Rejected, Transient
from bot.channels.telegram.citizen_json import CitizenUpdate
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.polling import Poller, UpdateSource
from bot.channels.telegram.updates import Origin, read_update
from bot.channels.telegram.webhook_reply import WebhookReply
from bot.core.incoming import Incoming, kind_of
from bot.core.inflight import InFlight
from bot.core.switchboard import Switchboard
from bot.idcard.card_photos import NotFetched, read_picture
from bot.ops import metrics
from bot.storage.sealing import Sealer
from conversations.events import Picture


class StaffUpdates(Protocol):
    """The help desk's side of the updates that are not a citizen's: the staff group, citizens' edits."""

    async def on_update(self, update: Any) -> None: ...


class TelegramFront:
    def __init__(
        self, switchboard: Switchboard, bot_id: int, delivery: Delivery, in_flight: InFlight,
        staff: StaffUpdates | None = None,
    ) -> None:
        """`in_flight`: what a graceful shutdown waits for; `staff`: the help desk, when there is one."""
        self._switchboard = switchboard
        self._bot = str(bot_id)
        self._delivery = delivery
        self._in_flight = in_flight
        self._staff = staff
        self._poller: Poller | None = None  # while `poll` runs

    async def on_update(self, update: Any, webhook_reply: WebhookReply | None = None) -> None:
        """Handle and answer one update, as `citizen_json.parse_update` gives it (a webhook's request is
        answered after its replies went out: answering at the save let a second worker's reply to the next
        update overtake them); `webhook_reply`: that request's response, which may carry a call
        (`webhook_reply.py`)."""
        incoming = update.incoming(self._bot, webhook_reply) if isinstance(update, CitizenUpdate) \
            else read_update(update, self._bot, webhook_reply)
        kind = kind_of(incoming.event) if incoming is not None else "ignored" if self._staff is None else "desk"
        with self._in_flight.track(), metrics.handling(kind):
            if incoming is not None:
                await self._switchboard.handle(self._readable(incoming), rated=True)
            elif self._staff is not None:
                await self._staff.on_update(update)

    def _readable(self, incoming: Incoming) -> Incoming:
        """A photo or image file as a `Picture` the ID step can read: fetched only if a step reads it."""
        origin = incoming.origin
        if not isinstance(origin, Origin) or origin.picture is None:
            return incoming
        file = origin.picture
        fetch = partial(self._download, origin.chat_id, file.file_id)
        return replace(incoming, event=Picture(file.kind, partial(read_picture, fetch, file.size)))

    async def _download(self, chat_id: int, file_id: str) -> bytes:
        """A picture's bytes, paced and retried like any call (a 5xx, a lost connection, a 429)."""
        try:
            data = await self._delivery.call(chat_id, DownloadFile(file_id))
        except (Rejected, Transient, Blocked) as error:
            raise NotFetched(type(error).__name__) from error
        if not isinstance(data, bytes):
            raise NotFetched(f"a download answered {type(data).__name__}")
        return data

    async def poll(self, source: UpdateSource, parse: Callable[[dict[str, Any]], Any], redis: Redis,
                   inbox: Sealer) -> None:
        """Long-poll `source` until `stop_polling`; each update is kept in Redis (sealed by `inbox`) until
        it is handled."""
        self._poller = Poller(source, lambda data: self.on_update(parse(data)), redis, inbox, int(self._bot))
        await self._poller.run()

    def stop_polling(self) -> None:
        """Fetch no more updates; `poll` returns once those in hand are done (or cancelled by the drain)."""
        if self._poller is not None:
            self._poller.stop()
