"""At every boundary a failure is logged by its type and a reference, never by its message or traceback.

An error's message quotes what it failed on: pydantic's names the input values, a `ValueError` the text
it could not parse, a `KeyError` the key. Here each boundary — the helper itself, a web route, the
webhook, the polling loop — meets an error whose message is a citizen's name and writes none of it,
while still saying what failed and where (the type, the code's frames, a reference to quote).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bot.channels.telegram.polling import Poller
from bot.channels.telegram.webhook import SECRET_HEADER, mount_webhook
from bot.ops.logs import log_failure
from bot.ops.web import create_web_app, serving
from bot.portal.client import PortalClient
from bot.storage.sealing import Sealer
from tests.bot.test_polling_inbox import UPDATE, Telegram, polling

NAME = "Trần Thị Ngọc Hạnh"
log = logging.getLogger("bot.tests")


def crash() -> None:
    raise ValueError(f"could not read {NAME!r}")


def everything(caplog: pytest.LogCaptureFixture) -> str:
    """What any handler would write: messages, and tracebacks if a record carried one."""
    return caplog.text + "".join(record.exc_text or "" for record in caplog.records)


def test_a_failure_is_logged_by_type_frames_and_reference(caplog: pytest.LogCaptureFixture) -> None:
    try:
        try:
            crash()
        except ValueError as error:
            raise RuntimeError(f"while handling {NAME}") from error
    except RuntimeError as error:
        ref = log_failure(log, "update 7", error)
    assert re.fullmatch(r"[0-9a-f]{8}", ref)
    (record,) = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is None
    message = record.getMessage()
    assert message.startswith(f"update 7 failed: RuntimeError from ValueError (ref {ref})")
    assert "in crash" in message  # where: the frames, without their values
    assert NAME not in everything(caplog)


async def test_a_web_route_that_fails_answers_500_with_a_reference_and_logs_no_message(
    redis: Redis, portal: PortalClient, caplog: pytest.LogCaptureFixture,
) -> None:
    async def failing(request: web.Request) -> web.Response:
        crash()
        raise AssertionError

    app = create_web_app(redis, portal)
    app.router.add_post("/webapp/password", failing)
    caplog.set_level(logging.DEBUG)
    async with serving(app, "127.0.0.1", 0) as port, aiohttp.ClientSession() as session, \
            session.post(f"http://127.0.0.1:{port}/webapp/password", json={"name": NAME}) as response:
        status, body = response.status, await response.json()
    assert status == 500 and body["ok"] is False
    assert f"ValueError (ref {body['ref']})" in caplog.text
    assert NAME not in everything(caplog) and NAME not in str(body)


async def test_a_webhook_update_that_fails_is_logged_by_type_and_delivered_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handle(update: Any, reply: object) -> None:
        crash()

    app = web.Application()
    mount_webhook(app, "/hook", "s3cret", lambda data: data, handle)
    caplog.set_level(logging.DEBUG)
    async with serving(app, "127.0.0.1", 0) as port, aiohttp.ClientSession() as session, \
            session.post(f"http://127.0.0.1:{port}/hook", json=UPDATE, headers={SECRET_HEADER: "s3cret"}) as response:
        status = response.status  # not 200: Telegram delivers it again
    assert status == 500
    assert "webhook: an update failed: ValueError (ref " in caplog.text
    assert NAME not in everything(caplog)


async def test_a_polled_update_that_fails_is_logged_by_type(redis: Redis, caplog: pytest.LogCaptureFixture) -> None:
    handled = asyncio.Event()

    async def handle(update: Any) -> None:
        handled.set()
        crash()

    poller = Poller(Telegram([UPDATE]), handle, redis, Sealer([Fernet.generate_key()], b"test"), 42)
    caplog.set_level(logging.DEBUG)
    async with polling(poller):
        await asyncio.wait_for(handled.wait(), 5)
    assert f"polling: update {UPDATE['update_id']} failed: ValueError (ref " in caplog.text
    assert NAME not in everything(caplog)
