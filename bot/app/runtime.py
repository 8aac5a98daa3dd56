"""Wire the parts together from `Settings`: Redis (or embedded), the portal (or sandbox), the assistant.

Everything here is built when the command starts, never at import time, and
closed in reverse order when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.utils import HIREDIS_AVAILABLE

from bot.app.redis_clients import open_redis
from bot.app.redis_url import RedisTarget, RedisUrlError, SingleServer, parse_redis_url
from bot.app.settings import Settings
from bot.core.assistant import Assistant, Clock, utc_now
from bot.core.i18n import Catalogs
from bot.core.pseudonyms import Pseudonyms
from bot.core.registration_quota import RedisRegistrationQuota, RegistrationLimits
from bot.portal.client import PortalClient, longest_call
from bot.portal.sandbox import SmsMessage, start_sandbox
from bot.storage import DialogCodec, load_keys
from bot.storage.embedded import EmbeddedRedis
from bot.storage.heartbeat import Heartbeat, new_worker_id
from bot.storage.redis_store import RedisDialogStore
from bot.storage.riders import Riders
from bot.storage.sealing import Sealer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Runtime:
    assistant: Assistant
    catalogs: Catalogs
    portal_url: str
    redis: Redis
    portal: PortalClient
    pseudonyms: Pseudonyms  # hashed identifiers for the rate limits' key names
    inbox: Sealer  # seals the updates polling keeps in Redis while they are handled
    heartbeat: Heartbeat  # this worker's sign of life, which the answers it keeps name
    riders: Riders  # commands sent with a dialog's lock, as a bot's message budget's lease
    sealing_keys: tuple[bytes, ...]  # DIALOG_ENCRYPTION_KEY's keys, newest first, for a channel's own sealed values

    def sealer(self, purpose: bytes) -> Sealer:
        """Seals one kind of value (its `purpose`) under the configured keys, as the dialogs are."""
        return Sealer(self.sealing_keys, purpose)


FORGET_SENT_AFTER = 1.0  # seconds: the answers sent meanwhile are forgotten in one round trip, not one per update


def redis_parser() -> str:
    """Which reply parser redis-py uses: "hiredis" (C, a dependency) or "python" (where it has no wheel)."""
    return "hiredis" if HIREDIS_AVAILABLE else "python"


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Redis]:
    """The configured Redis (one server, Sentinel's primary or a cluster), or the embedded one in DATA_DIR."""
    target = redis_target(settings.redis_url)
    async with AsyncExitStack() as stack:
        if target is None:
            embedded = EmbeddedRedis(settings.data_dir)
            stack.callback(embedded.close)
            target = SingleServer(embedded.url, tls=False)
        log.info("Redis: %s", target.describe())
        yield await stack.enter_async_context(open_redis(target, settings.redis_timeout))


def redis_target(url: str | None) -> RedisTarget | None:
    """REDIS_URL read, or None for the embedded Redis; a URL that cannot be used stops the process here, before
    anything is built, with one line that names what is wrong (never the password)."""
    if not url:
        return None
    try:
        return parse_redis_url(url)
    except RedisUrlError as error:
        raise SystemExit(str(error)) from None


@asynccontextmanager
async def running(
    settings: Settings,
    on_sms: Callable[[SmsMessage], None] | None = None,
    clock: Clock = utc_now,
) -> AsyncIterator[Runtime]:
    if settings.dialog_lock_ttl <= longest_call(settings.portal_timeout):
        raise SystemExit(
            f"DIALOG_LOCK_TTL ({settings.dialog_lock_ttl:g} s) must be longer than the slowest portal call with its "
            f"retries ({longest_call(settings.portal_timeout):g} s for PORTAL_TIMEOUT={settings.portal_timeout:g}), "
            "or a slow portal answer would outlive the dialog's lock.")
    async with AsyncExitStack() as stack:
        redis = await stack.enter_async_context(connected(settings))
        api_key = settings.portal_api_key.get_secret_value() if settings.portal_api_key else None
        portal_url = settings.portal_url
        demo = not portal_url  # the in-process sandbox: whoever talks to the bot is told no account is real
        if not portal_url:
            runner, portal_url = await start_sandbox("127.0.0.1", 0, clock=clock, on_sms=on_sms, api_key=api_key)
            stack.push_async_callback(runner.cleanup)
        portal = PortalClient(portal_url, api_key=api_key, timeout=settings.portal_timeout)
        stack.push_async_callback(portal.close)

        key = settings.dialog_encryption_key.get_secret_value() if settings.dialog_encryption_key else None
        keys = load_keys(key, settings.data_dir)
        worker = new_worker_id()
        riders = Riders()
        store = RedisDialogStore(redis, DialogCodec(keys), ttl=settings.dialog_ttl,
                                 lock_ttl=settings.dialog_lock_ttl, idle_after=settings.reminder_after or None,
                                 worker=worker, heartbeat_ttl=settings.worker_heartbeat,
                                 forget_sent_after=FORGET_SENT_AFTER, riders=riders)
        stack.push_async_callback(store.forget_sent)  # before Redis closes: a stopped worker leaves none behind
        pseudonyms = Pseudonyms(keys[0])  # the newest key: rotating it starts the counters afresh
        limits = RegistrationLimits(settings.registrations_per_user, settings.registrations_per_id,
                                    settings.registrations_per_phone)
        quota = RedisRegistrationQuota(redis, pseudonyms, limits)
        catalogs = Catalogs()
        assistant = Assistant(store, portal, catalogs, clock, settings.default_language,
                              help_desk=settings.staff_chat_id is not None, quota=quota.for_dialog, demo=demo)
        yield Runtime(assistant, catalogs, portal_url, redis, portal, pseudonyms, Sealer(keys, b"regbot polling inbox"),
                      Heartbeat(redis, worker, settings.worker_heartbeat), riders, tuple(keys))
