"""The Zalo channel's parts for one OA, built from its settings and the runtime every channel shares.

Its HTTP client, the token pair shared with the other workers, the API
client, and the webhook with its Redis inbox. `handle` is what each
webhook event is handed to once it is answered and kept: the conversation's
way in (issue 19's next part, which also gives the switchboard Zalo's way
out). Nothing here is mounted or started: the caller mounts
`channel.webhook` on the bot's HTTP app and lets it take over what dead
workers left in the inbox.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.app.runtime import Runtime
from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.config import ZaloConfig
from bot.channels.zalo.events import ZaloEvent
from bot.channels.zalo.images import image_fetcher
from bot.channels.zalo.inbox import ZaloInbox
from bot.channels.zalo.oauth import OAuth
from bot.channels.zalo.tokens import Seed, SharedTokens
from bot.channels.zalo.webhook import ZaloWebhook
from bot.core.inflight import InFlight
from bot.storage.keys import ZaloKeys

TOKENS_PURPOSE = b"regbot zalo tokens"
INBOX_PURPOSE = b"regbot zalo inbox"


@dataclass(frozen=True, slots=True)
class ZaloChannel:
    config: ZaloConfig
    api: ZaloApi
    tokens: SharedTokens
    webhook: ZaloWebhook
    fetch_image: Callable[[str], Awaitable[bytes]]  # a citizen's picture from its event's URL


@asynccontextmanager
async def zalo_channel(
    config: ZaloConfig, runtime: Runtime, handle: Callable[[ZaloEvent], Awaitable[object]], in_flight: InFlight,
) -> AsyncIterator[ZaloChannel]:
    async with aiohttp.ClientSession() as session:
        keys = ZaloKeys(config.app_id)
        oauth = OAuth(session, config.oauth_url, config.app_id, config.app_secret, time.time)
        tokens = SharedTokens(runtime.redis, runtime.sealer(TOKENS_PURPOSE), keys, oauth,
                              Seed(config.refresh_token, config.access_token))
        inbox = ZaloInbox(runtime.redis, runtime.sealer(INBOX_PURPOSE), keys, runtime.heartbeat.worker)
        webhook = ZaloWebhook(config.app_id, config.webhook_secret, inbox, handle, in_flight)
        yield ZaloChannel(config, ZaloApi(session, config.api_url, tokens), tokens, webhook, image_fetcher(session))
