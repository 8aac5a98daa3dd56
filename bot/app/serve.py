"""`regbot run`: the bot in Telegram, by long polling or behind a webhook, and a Zalo OA beside it or alone.

Wires the runtime (Redis, portal, assistant) to a framework adapter (and a
Zalo OA's channel, whose webhook rides on the same app: serve_zalo.py) and
serves the bot's HTTP app on HOST:PORT in both modes (health, readiness,
metrics, the password page, and in webhook mode the webhook). Stops
gracefully on SIGTERM/SIGINT: updates in progress finish (for up to
SHUTDOWN_TIMEOUT), their replies are delivered and their locks released
before Redis is closed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
from contextlib import AsyncExitStack
from functools import partial
from urllib.parse import urlsplit

from bot.app.channel_choice import chosen_channels
from bot.app.compose import TelegramBot, telegram_bot, zalo_beside, zalo_replies
from bot.app.eventloop import loop_name
from bot.app.runtime import Runtime, redis_parser, running
from bot.app.serve_zalo import run_zalo_alone, take_over_events
from bot.app.settings import Settings
from bot.app.zalo_channel import ZaloChannel, zalo_channel
from bot.channels.telegram.actions import Blocked, BotCalls, Rejected, RetryAfter, Transient
from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.citizen_json import parse_update
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.telegram.texts import DESCRIPTION, SHORT_DESCRIPTION, commands
from bot.channels.telegram.webhook import mount_webhook
from bot.channels.zalo.webhook import ZaloWebhook
from bot.core.i18n import Catalogs
from bot.core.reminders import send_reminders
from bot.helpdesk.migration import tag_desk_keys
from bot.ops.web import serving
from bot.portal.sandbox import print_sms
from conversations.dialog import LANGUAGES

log = logging.getLogger(__name__)

PRODUCTION_SETTINGS = ("PORTAL_URL", "REDIS_URL", "DIALOG_ENCRYPTION_KEY", "WEBAPP_URL")
ZALO_SERVES_THE_PUBLIC = "regbot run with Zalo (ZALO_APP_ID) serves a public webhook, so it"


def missing_for_production(settings: Settings) -> list[str]:
    """What a webhook deployment lacks, in PRODUCTION_SETTINGS' order; nothing when it is a declared demonstration.

    A webhook is how a bot serves the public (Telegram's with --webhook; a Zalo OA's always, since Zalo has
    no polling: a run with ZALO_APP_ID set is held to the same rule), so it must not fall back on the sandbox
    portal (whose SMS codes go to this process's output), a Redis that lives and dies with one worker, or a
    dev key, nor write the password form's address as this machine's own (127.0.0.1), which no citizen's
    phone can open.
    """
    if settings.regbot_demo:
        return []
    configured = {"PORTAL_URL": settings.portal_url, "REDIS_URL": settings.redis_url,
                  "DIALOG_ENCRYPTION_KEY": settings.dialog_encryption_key, "WEBAPP_URL": settings.webapp_url}
    return [name for name in PRODUCTION_SETTINGS if not configured[name]]


def refuse_webhook_without_production(settings: Settings, serving: str = "regbot run --webhook") -> None:
    """Fail closed: one line naming what is missing, before anything is built or Telegram is called.
    `serving`: what makes this run a public one (Telegram's webhook, or a Zalo OA: ZALO_SERVES_THE_PUBLIC)."""
    missing = missing_for_production(settings)
    if missing:
        raise SystemExit(f"{serving} needs PORTAL_URL, REDIS_URL, DIALOG_ENCRYPTION_KEY and WEBAPP_URL "
                         f"(or REGBOT_DEMO=1 for a demonstration): missing {', '.join(missing)}")


def webhook_secret(settings: Settings, token: str) -> str:
    """The configured secret, or one derived from the token so every worker agrees without more config."""
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    return hmac.new(token.encode(), b"regbot webhook", hashlib.sha256).hexdigest()


async def announce(calls: BotCalls, catalogs: Catalogs) -> None:
    """The command menu and descriptions in each language (Vietnamese also as the default)."""
    try:
        for language in (None, *LANGUAGES):
            shown = language or "vi"
            await calls.set_commands(commands(catalogs, shown), language)
            await calls.set_descriptions(catalogs.render(DESCRIPTION, shown),
                                         catalogs.render(SHORT_DESCRIPTION, shown), language)
    except (RetryAfter, Transient, Rejected, Blocked) as error:
        log.warning("could not set the command menu and descriptions: %s", error)


async def run_bot(settings: Settings, webhook: bool) -> None:
    channels = chosen_channels(settings)  # fails closed on no channel or a half-configured Zalo
    token = channels.telegram_token
    if webhook and token is not None and not settings.webhook_url:
        raise SystemExit("--webhook needs WEBHOOK_URL: the public HTTPS URL Telegram should post updates to.")
    if webhook or channels.zalo is not None:  # Zalo's events always come by webhook: a Zalo OA is public
        refuse_webhook_without_production(settings, "regbot run --webhook" if webhook else ZALO_SERVES_THE_PUBLIC)
    if token is None:  # Zalo alone: Telegram's WEBHOOK_URL is not needed
        assert channels.zalo is not None
        stop = asyncio.Event()
        catch_signals(stop)
        try:
            await run_zalo_alone(settings, channels.zalo, stop)
        except asyncio.CancelledError:
            if not stop.is_set():
                raise
            log.warning("stopped at once on a second signal; events in progress were abandoned to the inbox")
        return
    adapter = make_adapter(settings.bot_framework, token, settings.telegram_api_url)
    stop = asyncio.Event()
    catch_signals(stop)
    try:
        async with running(settings, on_sms=print_sms) as runtime, AsyncExitStack() as stack:
            me = await adapter.me()
            if settings.staff_chat_id is not None:
                await tag_desk_keys(runtime.redis, me.id)
            zalo: ZaloChannel | None = None
            if channels.zalo is not None:
                zalo = await stack.enter_async_context(zalo_channel(channels.zalo, runtime))
            bot = telegram_bot(settings, runtime, adapter, me, token,
                               zalo_replies(settings, runtime, zalo) if zalo else None)
            zalo_webhook = zalo_beside(bot, zalo) if zalo else None
            await announce(adapter, runtime.catalogs)
            if webhook:
                assert settings.webhook_url
                path = urlsplit(settings.webhook_url).path or "/"
                secret = webhook_secret(settings, token)
                mount_webhook(bot.app, path, secret, partial(parse_update, framework_parse=adapter.parse_update),
                              bot.front.on_update)
                await adapter.set_webhook(settings.webhook_url, secret, settings.webhook_max_connections)
            await serve_until_stopped(settings, adapter, bot, runtime, stop, webhook,
                                      (zalo.name, zalo_webhook) if zalo and zalo_webhook else None)
    except asyncio.CancelledError:
        if not stop.is_set():
            raise
        log.warning("stopped at once on a second signal; updates in progress were abandoned")
    finally:
        await adapter.close()


def catch_signals(stop: asyncio.Event) -> None:
    """SIGTERM or SIGINT: stop gracefully; the same again while stopping: stop at once."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None

    def on_signal(signum: signal.Signals) -> None:
        if stop.is_set():
            main.cancel()
            return
        log.info("%s: stopping; updates in progress may take up to SHUTDOWN_TIMEOUT to finish", signum.name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)


async def serve_until_stopped(
    settings: Settings, adapter: TelegramAdapter, bot: TelegramBot, runtime: Runtime, stop: asyncio.Event,
    webhook: bool, zalo: tuple[str, ZaloWebhook] | None = None,
) -> None:
    """Serve until a signal, then shut down gracefully (Redis and the portal are closed by the caller, after).

    In order: stop taking updates (polling stops fetching; the HTTP server stops listening and
    lets the webhook requests and password submissions in progress finish), wait for the updates
    still being handled, and cancel those still running after SHUTDOWN_TIMEOUT — which releases
    their dialog locks while Redis is still open.
    """
    loop = asyncio.get_running_loop()
    grace = settings.shutdown_timeout
    beating = asyncio.create_task(runtime.heartbeat.run())  # before the first update: answers it keeps name it
    async with serving(bot.app, settings.host, settings.port, grace=grace):
        log.info("bot %s on http://%s:%s (%s; %s loop, %s Redis parser)", "webhook" if webhook else "polling",
                 settings.host, settings.port, settings.bot_framework, loop_name(loop), redis_parser())
        polling = None if webhook else asyncio.create_task(poll(adapter, bot, runtime))
        reminding = asyncio.create_task(send_reminders(bot.switchboard, runtime.assistant.store,
                                                       [bot.channel, *(zalo[:1] if zalo else ())],
                                                       settings.reminder_after))
        taking_over = (asyncio.create_task(take_over_events(zalo[1], runtime.redis, settings.worker_heartbeat))
                       if zalo else None)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([task for task in (polling, stopped) if task], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        reminding.cancel()
        if taking_over is not None:
            taking_over.cancel()
        if polling is not None and polling.done():
            polling.result()  # polling ended by itself: a revoked token, say; let it be seen
        deadline = loop.time() + grace
        if polling is not None:
            bot.front.stop_polling()
    cancelled = await bot.in_flight.drain(deadline - loop.time())
    if polling is not None:
        try:
            async with asyncio.timeout(max(deadline - loop.time(), 1.0)):
                await polling
        except TimeoutError:
            log.warning("shutdown: the %s poller did not stop in time", settings.bot_framework)
    await bot.budget.close()
    beating.cancel()
    await runtime.heartbeat.stop()  # nothing this worker kept is being sent any more
    log.info("stopped%s", f"; {cancelled} update(s) cancelled after {grace:.0f} s" if cancelled else "")


async def poll(adapter: TelegramAdapter, bot: TelegramBot, runtime: Runtime) -> None:
    """Long polling, through the front, which keeps each update in Redis until it is handled."""
    await adapter.drop_webhook()
    await bot.front.poll(adapter, partial(parse_update, framework_parse=adapter.parse_update), runtime.redis,
                         runtime.inbox)
