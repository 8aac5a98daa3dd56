"""The Zalo channel built from settings on the shared runtime: a signed event in, a message out, over the fakes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from cryptography.fernet import Fernet

from bot.app.channel_choice import zalo_config
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.app.zalo_channel import zalo_channel
from bot.channels.zalo.events import ZaloEvent
from bot.core.inflight import InFlight
from tests.fakezalo import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_SECRET_KEY, FakeZaloOA


async def test_an_event_reaches_the_handler_and_the_answer_the_citizen(redis_url: str, tmp_path: Path) -> None:
    async with FakeZaloOA() as oa:  # on the real clock, as the webhook's check of the event's age is
        await _event_in_answer_out(oa, redis_url, tmp_path)


async def _event_in_answer_out(oa: FakeZaloOA, redis_url: str, tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]  # pydantic-settings' own argument
        _env_file=None, redis_url=redis_url, data_dir=tmp_path, dialog_encryption_key=Fernet.generate_key().decode(),
        zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET_KEY,
        zalo_refresh_token=FIRST_REFRESH_TOKEN, zalo_api_url=oa.base_url, zalo_oauth_url=oa.base_url)
    config = zalo_config(settings)
    assert config is not None
    handled: asyncio.Queue[ZaloEvent] = asyncio.Queue()
    in_flight = InFlight()
    async with running(settings) as runtime, zalo_channel(config, runtime) as channel:
        await runtime.redis.flushall()
        app = web.Application()
        channel.webhook(handled.put, in_flight).mount(app)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
        try:
            await oa.text("8412345", "Xin chào")
            assert [status for _, status in oa.deliveries] == [200]  # taken: it will be handled
            event = await handled.get()
            await channel.api.send_text(event.user_id, "Chào bạn")
        finally:
            await in_flight.drain(5)
            await runner.cleanup()
    assert [message.text for message in oa.sent_to("8412345")] == ["Chào bạn"]
    assert oa.world.tokens.refreshes == 1  # the first access token, from ZALO_REFRESH_TOKEN
