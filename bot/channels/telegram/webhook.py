"""Telegram's webhook on the bot's aiohttp app, for any framework.

Telegram gets its 200 only after the update is handled, so an update lost
with a killed worker is delivered again (and the store skips one it has
handled). The 200 may carry one call (`webhook_reply.py`); a 500 carries
none. The secret-token header is compared in constant time, as bytes:
`hmac.compare_digest` raises on a str that is not ASCII, and anyone can send
such a header.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from bot.channels.telegram.webhook_reply import WebhookReply
from bot.ops import metrics
from bot.ops.logs import log_failure

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def mount_webhook(
    app: web.Application, path: str, secret: str, parse: Callable[[dict[str, Any]], Any],
    handle: Callable[[Any, WebhookReply], Awaitable[object]],
) -> None:
    """Serve updates at `path`: `parse` turns the JSON into the framework's Update, `handle` answers it,
    perhaps giving its response a call to carry."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogatepass")  # any str, as bytes
        if not hmac.compare_digest(given, secret.encode()):
            log.warning("webhook call without the right secret token from %s", request.remote)
            return web.Response(status=401)
        try:
            update = parse(orjson.loads(await request.read()))
        except (ValueError, TypeError) as error:  # orjson's JSONDecodeError is a ValueError
            log.warning("webhook: unreadable update: %s", type(error).__name__)
            return web.Response(status=400)
        reply = WebhookReply()
        try:
            await handle(update, reply)
        except Exception as error:  # logged by type and reference, not aiohttp's traceback quoting the update
            ref = log_failure(log, "webhook: an update", error)
            return web.Response(status=500, text=f"ref {ref}")  # Telegram delivers it again; nothing rides
        if reply.carried is None:
            return web.Response(status=200)
        metrics.telegram_call(type(reply.carried).__name__, "carried")
        return web.Response(body=orjson.dumps(reply.body), content_type="application/json")  # orjson: as it reads

    app.router.add_post(path, receive)
