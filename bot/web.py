"""The bot's own HTTP server: health now; the Telegram webhook and the Web App mount here too."""

from __future__ import annotations

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
