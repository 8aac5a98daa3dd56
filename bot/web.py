"""The bot's own HTTP server on HOST:PORT: health, readiness, metrics; the webhook and the password page mount here.

- `GET /healthz`: the process is up and serving (no dependency is asked):
  a liveness probe restarts a process only when this fails.
- `GET /readyz`: Redis and the portal both answer, each within a short
  timeout; 503 with a JSON body naming what is down otherwise. A load
  balancer sends no webhook to a worker that is not ready.
- `GET /metrics`: Prometheus (see `bot/metrics.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.metrics import mount_metrics
from conversations.portal import PortalUnavailable

CHECK_TIMEOUT = 2.0  # seconds each readiness check may take: a probe must answer quickly, even when it says no


class Pingable(Protocol):
    async def ping(self, timeout: float = CHECK_TIMEOUT) -> None:
        """Raise `PortalUnavailable` saying why, unless the portal answers within `timeout`."""


REDIS = web.AppKey("redis", Redis)
PORTAL = web.AppKey("portal", Pingable)


async def health(request: web.Request) -> web.Response:
    """200 while the process serves requests; says nothing about Redis or the portal (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def _redis_down(redis: Redis) -> str | None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await redis.ping()
    except (RedisError, OSError, TimeoutError) as error:
        return type(error).__name__
    return None


async def _portal_down(portal: Pingable) -> str | None:
    try:
        await portal.ping(CHECK_TIMEOUT)
    except PortalUnavailable as error:
        return str(error)
    return None


async def ready(request: web.Request) -> web.Response:
    """200 when Redis and the portal answer; else 503 naming what is down (e.g. `{"down": ["portal"]}`)."""
    redis, portal = await asyncio.gather(_redis_down(request.app[REDIS]), _portal_down(request.app[PORTAL]))
    checks = {"redis": redis or "ok", "portal": portal or "ok"}
    down = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "not ready" if down else "ready", "down": down, "checks": checks}
    return web.json_response(body, status=503 if down else 200)


def create_web_app(redis: Redis, portal: Pingable) -> web.Application:
    app = web.Application()
    app[REDIS] = redis
    app[PORTAL] = portal
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
    mount_metrics(app)
    return app


@asynccontextmanager
async def serving(
    app: web.Application, host: str, port: int, any_port_if_taken: bool = False, grace: float = 60.0,
) -> AsyncIterator[int]:
    """Serve `app` until the block ends; yields the port actually bound.

    On the way out it stops listening, then lets requests in progress (a webhook update being
    handled, a password being set) finish for up to `grace` seconds.
    `any_port_if_taken`: for the console on a developer's machine, where another bot may hold PORT.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=grace)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError:
            if not any_port_if_taken:
                raise
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


def public_url(webapp_url: str | None, port: int) -> str:
    """WEBAPP_URL, which Telegram requires to be HTTPS; without it, this machine only (development)."""
    url = (webapp_url or f"http://127.0.0.1:{port}").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"WEBAPP_URL must be https:// (got {url}); plain http is for 127.0.0.1 only.")
    return url
