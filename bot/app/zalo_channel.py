"""The Zalo channel's parts for one OA, built from its settings and the runtime every channel shares.

In the order they depend on each other: its HTTP client, the token pair
shared with the other workers and the API client (`zalo_channel`); the way
out, which the switchboard is given (`ZaloChannel.replies`); the way in,
which needs the switchboard, behind the webhook and its Redis inbox
(`ZaloChannel.webhook`). The caller mounts the webhook on the bot's HTTP app
and lets it take over what dead workers left in the inbox. While the channel
is open, its token pair is kept alive (refreshed at least daily).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.app.runtime import Runtime
from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.config import ZaloConfig
from bot.channels.zalo.events import ZaloEvent
from bot.channels.zalo.front import ZaloFront
from bot.channels.zalo.images import image_fetcher
from bot.channels.zalo.inbox import ZaloInbox
from bot.channels.zalo.numbered import NumberedLists
from bot.channels.zalo.oauth import OAuth
from bot.channels.zalo.pace import SendPace, oa_budget
from bot.channels.zalo.replies import ZaloReplies
from bot.channels.zalo.tokens import Seed, SharedTokens, keep_tokens_alive
from bot.channels.zalo.webhook import ZaloWebhook
from bot.channels.zalo.window import ConsultationWindow
from bot.core.assistant import utc_now
from bot.core.inflight import InFlight
from bot.core.switchboard import Switchboard
from bot.storage.budget_counter import RedisBudgetCounter
from bot.storage.keys import ZaloKeys
from bot.webapp.links import PasswordLinks

TOKENS_PURPOSE = b"regbot zalo tokens"
INBOX_PURPOSE = b"regbot zalo inbox"


@dataclass(frozen=True, slots=True)
class ZaloChannel:
    config: ZaloConfig
    api: ZaloApi
    tokens: SharedTokens
    inbox: ZaloInbox
    window: ConsultationWindow
    numbered: NumberedLists
    fetch_image: Callable[[str], Awaitable[bytes]]  # a citizen's picture from its event's URL
    runtime: Runtime

    @property
    def name(self) -> str:
        """The channel account its dialogs are kept under (`DialogKey.bot`)."""
        return self.config.channel

    def replies(self, links: PasswordLinks, webapp_url: str) -> ZaloReplies:
        """The way out, for the switchboard; `webapp_url`: where the password form is served."""
        return ZaloReplies(self.api, self.runtime.catalogs, links, webapp_url, self.window, self.numbered,
                           self.runtime.assistant.store.mark_blocked, self.runtime.assistant.default_language)

    def front(self, switchboard: Switchboard) -> ZaloFront:
        return ZaloFront(switchboard, self.name, self.fetch_image, self.window, self.numbered,
                         self.runtime.assistant.store.mark_blocked)

    def webhook(self, handle: Callable[[ZaloEvent], Awaitable[object]], in_flight: InFlight) -> ZaloWebhook:
        """`POST /zalo/webhook`, handing each kept event to `handle` (a `ZaloFront`'s) after its 200."""
        return ZaloWebhook(self.config.app_id, self.config.webhook_secret, self.inbox, handle, in_flight)


@asynccontextmanager
async def zalo_channel(config: ZaloConfig, runtime: Runtime) -> AsyncIterator[ZaloChannel]:
    async with aiohttp.ClientSession() as session:
        keys = ZaloKeys(config.app_id)
        oauth = OAuth(session, config.oauth_url, config.app_id, config.app_secret, time.time)
        tokens = SharedTokens(runtime.redis, runtime.sealer(TOKENS_PURPOSE), keys, oauth,
                              Seed(config.refresh_token, config.access_token))
        inbox = ZaloInbox(runtime.redis, runtime.sealer(INBOX_PURPOSE), keys, runtime.heartbeat.worker)
        budget = oa_budget(RedisBudgetCounter(runtime.redis, config.channel))  # the OA's rate, shared by its workers
        runtime.riders.add(budget, config.channel)  # its lease rides with the OA's dialogs' locks when none is held
        keeping = asyncio.create_task(keep_tokens_alive(tokens))  # the refresh token used at least daily
        try:
            yield ZaloChannel(config, ZaloApi(session, config.api_url, tokens, SendPace(budget)), tokens, inbox,
                              ConsultationWindow(runtime.redis, utc_now), NumberedLists(runtime.redis),
                              image_fetcher(session), runtime)
        finally:
            keeping.cancel()
            await budget.close()  # its leases in flight, before Redis is closed
