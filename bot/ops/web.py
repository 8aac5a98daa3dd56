"""The bot's own HTTP server on HOST:PORT: health, readiness, metrics; the webhook and the password page mount here.

- `GET /healthz`: the process is up and serving (no dependency is asked):
  a liveness probe restarts a process only when this fails.
- `GET /readyz`: Redis and the portal both answer, each within a short
  timeout; 503 with a JSON body naming what is down otherwise. A load
  balancer sends no webhook to a worker that is not ready.
- `GET /metrics`: Prometheus (see `bot/ops/metrics.py`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.ops.logs import log_failure
from bot.ops.metrics import mount_metrics
from conversations.portal import PortalUnavailable

log = logging.getLogger(__name__)

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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str | None) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES`: "10.0.0.0/8, 127.0.0.1" → networks (a bare address is a network of one)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in (text or "").split(",") if part.strip())


def _inside(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str | None:
    """The citizen's address behind our own proxies: the nearest X-Forwarded-For hop that is not one of them.

    Only hops appended by a trusted proxy are believed; whatever a client wrote into the header itself
    sits further left and is never reached while an untrusted hop comes first.
    """
    if peer is None or not _inside(peer, proxies):
        return peer
    client = peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = forwarded_address(hop)
        if address is None:
            break
        client = address
        if not _inside(address, proxies):
            break
    return client


_PORT = re.compile(r":[0-9]{1,5}")


def forwarded_address(hop: str) -> str | None:
    """The address in one X-Forwarded-For entry, written the usual way; None for anything else ("unknown").

    Some load balancers (Azure's, some ingress controllers) append the client's port: "203.0.113.7:51234",
    "[2001:db8::1]:443". Read as a whole, such an entry is no address, and the citizen's requests would all
    seem to come from the proxy: the limits per address would then count every citizen together.
    """
    text = hop.strip()
    if text.startswith("["):  # "[v6]" or "[v6]:port"
        inside, bracket, port = text[1:].partition("]")
        if not bracket or (port and not _PORT.fullmatch(port)):
            return None
        text = inside
    elif text.count(":") == 1:  # "v4:port" (a bare IPv6 address has at least two colons)
        text, port = text.split(":")
        if not _PORT.fullmatch(":" + port):
            return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _behind_proxies(proxies: tuple[Network, ...]) -> Middleware:
    """Behind a load balancer every request comes from it: limits per address (the password form's)
    need the citizen's address, which trusted proxies pass in X-Forwarded-For."""

    @web.middleware
    async def real_client(request: web.Request, handler: Handler) -> web.StreamResponse:
        client = client_address(request.remote, request.headers.getall("X-Forwarded-For", []), proxies)
        if client is not None and client != request.remote:
            request = request.clone(remote=client)
        return await handler(request)

    return real_client


@web.middleware
async def _failures_logged(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A route that fails unexpectedly answers 500 with a reference, and is logged by its error's type and
    that reference: aiohttp's own log line carries the traceback and message, which may quote the request
    (a citizen's details, the password form's body)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        resource = request.match_info.route.resource  # the route's pattern: a path may hold a secret
        ref = log_failure(log, f"{request.method} {resource.canonical if resource else 'no route'}", error)
        return web.json_response({"ok": False, "message": "Internal error", "ref": ref}, status=500,
                                 headers={"Cache-Control": "no-store"})


def create_web_app(redis: Redis, portal: Pingable, trusted_proxies: tuple[Network, ...] = ()) -> web.Application:
    """`trusted_proxies` (TRUSTED_PROXIES): load balancers whose X-Forwarded-For header is believed."""
    middlewares = [_failures_logged, *([_behind_proxies(trusted_proxies)] if trusted_proxies else [])]
    app = web.Application(middlewares=middlewares)
    app[REDIS] = redis
    app[PORTAL] = portal
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
    mount_metrics(app)
    return app


def bind(host: str, port: int, any_port_if_taken: bool = False) -> socket.socket:
    """A listening socket on HOST:PORT, bound before anything that must know the port is built.
    `any_port_if_taken`: for the console on a developer's machine, where another bot may hold PORT."""
    try:
        return socket.create_server((host, port))
    except OSError:
        if not any_port_if_taken:
            raise
        return socket.create_server(("127.0.0.1", 0))


@asynccontextmanager
async def serving(
    app: web.Application, host: str, port: int, grace: float = 60.0, sock: socket.socket | None = None,
) -> AsyncIterator[int]:
    """Serve `app` on HOST:PORT (or on `sock`, bound already) until the block ends; yields the port bound.

    On the way out it stops listening, then lets requests in progress (a webhook update being
    handled, a password being set) finish for up to `grace` seconds.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=grace)
    await runner.setup()
    try:
        await (web.SockSite(runner, sock) if sock is not None else web.TCPSite(runner, host, port)).start()
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
