"""`regbot run` with a Zalo OA: served alone, or its webhook beside Telegram's (serve.py) on the same HTTP app.

Zalo has no polling: its events come to `POST /zalo/webhook` on HOST:PORT
(behind the operator's TLS proxy). Each is kept in the OA's Redis inbox
before its 200, so an event whose worker died after answering is still
handled: every worker takes over the events of workers whose heartbeat ran
out, at its start and every WORKER_HEARTBEAT seconds after (a dead worker is
known once its heartbeat has run out: looking more often finds nothing more,
looking less often only keeps its citizens waiting). Stopped by a
signal, it stops listening, lets the events in hand finish (for up to
SHUTDOWN_TIMEOUT), then stops its heartbeat, as Telegram's side does.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.app.compose import zalo_bot
from bot.app.eventloop import loop_name
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.app.zalo_channel import zalo_channel
from bot.channels.zalo.config import ZaloConfig
from bot.channels.zalo.webhook import ZaloWebhook
from bot.core.reminders import send_reminders
from bot.ops.web import serving
from bot.portal.sandbox import print_sms
from bot.storage.heartbeat import stopped_beating

log = logging.getLogger(__name__)

async def take_over_events(webhook: ZaloWebhook, redis: Redis, every: float) -> None:
    """Run until cancelled: now, then every `every` seconds, handle the events left by workers that stopped
    beating (a worker whose heartbeat is there is alive: it is asked again next time, not waited for)."""
    while True:
        try:
            taken = await webhook.take_over(partial(stopped_beating, redis, wait=0.0))
            if taken:
                log.warning("Zalo: %d event(s) left by a stopped worker taken over", taken)
        except (RedisError, OSError) as error:
            log.warning("Zalo: the inbox could not be looked at: %s", type(error).__name__)
        await asyncio.sleep(every)


async def run_zalo_alone(settings: Settings, config: ZaloConfig, stop: asyncio.Event) -> None:
    """Serve the OA's webhook and the password form on HOST:PORT until `stop` is set, then shut down gracefully."""
    async with running(settings, on_sms=print_sms) as runtime, zalo_channel(config, runtime) as zalo:
        bot = zalo_bot(settings, runtime, zalo)
        loop = asyncio.get_running_loop()
        beating = asyncio.create_task(runtime.heartbeat.run())  # before the first event: its inbox entry names it
        async with serving(bot.app, settings.host, settings.port, grace=settings.shutdown_timeout):
            log.info("Zalo OA %s on http://%s:%s/zalo/webhook (%s loop)", config.app_id, settings.host,
                     settings.port, loop_name(loop))
            tasks = [asyncio.create_task(take_over_events(bot.webhook, runtime.redis, settings.worker_heartbeat)),
                     asyncio.create_task(send_reminders(bot.switchboard, runtime.assistant.store, [zalo.name],
                                                        settings.reminder_after))]
            await stop.wait()
            for task in tasks:
                task.cancel()
            deadline = loop.time() + settings.shutdown_timeout
        cancelled = await bot.in_flight.drain(deadline - loop.time())
        beating.cancel()
        await runtime.heartbeat.stop()
        log.info("stopped%s", f"; {cancelled} event(s) cancelled" if cancelled else "")
