"""The bot's own HTTP server on HOST:PORT: health, and where the webhook and the password page mount."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

REDIS = web.AppKey("redis", Redis)


async def health(request: web.Request) -> web.Response:
    """200 while Redis answers: a load balancer should stop sending updates to a worker that cannot save."""
    try:
        await request.app[REDIS].ping()
    except (RedisError, OSError):
        return web.json_response({"status": "redis unavailable"}, status=503)
    return web.json_response({"status": "ok"})


def create_web_app(redis: Redis) -> web.Application:
    app = web.Application()
    app[REDIS] = redis
    app.router.add_get("/healthz", health)
    return app


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int, any_port_if_taken: bool = False) -> AsyncIterator[int]:
    """Serve `app` until the block ends; yields the port actually bound.

    `any_port_if_taken`: for the console on a developer's machine, where another bot may hold PORT.
    """
    runner = web.AppRunner(app, access_log=None)
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
