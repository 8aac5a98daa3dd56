"""`regbot run --webhook` workers and their sandbox portal, started as an operator starts them, for one run.

`benchmarks.responsiveness`, `benchmarks.memory` and `benchmarks.load` drive citizens through
real worker processes over HTTP on loopback: one `regbot portal` (the
sandbox, every worker's PORTAL_URL), N workers with one shared
DIALOG_ENCRYPTION_KEY, WEBHOOK_SECRET and Redis, and this process as the Bot
API (`botapi_http`). The workers get the settings of a production worker
unless a run says otherwise (`env`), so their pacing is the product's own.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import aiohttp
from cryptography.fernet import Fernet

from benchmarks.botapi_http import HttpBotApi
from benchmarks.rawhttp import RawPoster
from benchmarks.redis_server import RedisServer
from benchmarks.services import Service, clean_environment, free_port
from bot.channels.telegram.webhook import SECRET_HEADER

CODE = re.compile(r"\b(\d{6})\b")
START_TIMEOUT_S = 120.0  # a shared 2-core machine under load starts a worker slowly


@dataclass(slots=True)
class Deployment:
    key: str  # DIALOG_ENCRYPTION_KEY
    portal_url: str
    portal: Service
    workers: list[Service]
    posters: list[RawPoster]
    session: aiohttp.ClientSession
    posted: int = 0

    async def post(self, update: dict[str, Any]) -> int:
        """POST one update to the next worker (round robin, as a load balancer); its HTTP status."""
        poster = self.posters[self.posted % len(self.posters)]
        self.posted += 1
        status, _ = await poster.post(json.dumps(update, ensure_ascii=False).encode())
        return status

    async def latest_code(self, phone: str) -> str:
        """The latest code the sandbox texted to `phone` (E.164), as a tester reads it from the outbox."""
        async with self.session.get(f"{self.portal_url}/sandbox/outbox", params={"phone": phone}) as response:
            messages = await response.json()
        match = CODE.search(messages[-1]["text"]) if messages else None
        return match.group(1) if match else "000000"

    @property
    def pids(self) -> dict[str, int]:
        return {worker.name: worker.pid for worker in self.workers}


@asynccontextmanager
async def deployed(server: RedisServer, http_api: HttpBotApi, framework: str = "aiogram", workers: int = 1,
                   env: dict[str, str] | None = None) -> AsyncIterator[Deployment]:
    """Portal and workers started (ready on /healthz), stopped gracefully on exit; the Bot API must be started."""
    assert http_api.url, "start the Bot API first"
    key = Fernet.generate_key().decode()
    secret = secrets.token_hex(16)
    base = clean_environment()
    with TemporaryDirectory(prefix="regbot-bench-") as temporary:
        tmp = Path(temporary)
        portal_port = free_port()
        portal_url = f"http://127.0.0.1:{portal_port}"
        portal = Service("portal", ["portal", "--port", str(portal_port)],
                         {**base, "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"},
                         f"{portal_url}/sandbox/outbox?phone=none", tmp / "portal.log")
        services: list[Service] = []
        for number in range(1, workers + 1):
            port = free_port()
            services.append(Service(f"worker {number}", ["run", "--webhook"], {
                **base, "TELEGRAM_BOT_TOKEN": http_api.api.token, "TELEGRAM_API_URL": http_api.url,
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook", "WEBHOOK_SECRET": secret,
                "HOST": "127.0.0.1", "PORT": str(port), "REDIS_URL": server.url, "PORTAL_URL": portal_url,
                "WEBAPP_URL": f"https://127.0.0.1:{port}",
                "DIALOG_ENCRYPTION_KEY": key, "DATA_DIR": str(tmp / f"data-{number}"), "BOT_FRAMEWORK": framework,
                "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **(env or {})},
                f"http://127.0.0.1:{port}/healthz", tmp / f"worker-{number}.log"))
        headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
        session = aiohttp.ClientSession()
        try:
            await portal.start(timeout=START_TIMEOUT_S)
            for service in services:
                await service.start(timeout=START_TIMEOUT_S)
            posters = [RawPoster(service.env["WEBHOOK_URL"], headers) for service in services]
            yield Deployment(key, portal_url, portal, services, posters, session)
            for poster in posters:
                poster.close()
        finally:
            await session.close()
            for service in services:
                await service.stop()
            await portal.stop()
