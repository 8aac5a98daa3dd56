"""Fixtures for the portal tests: the sandbox on a real port, a client, raw HTTP for the /sandbox routes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import aiohttp
import pytest

from bot.portal.client import PortalClient
from bot.portal.sandbox import SANDBOX, SandboxPortal, SmsMessage, start_sandbox
from conversations.portal import Registration
from tests.clock import ManualClock

ID_NUMBER = "001090012345"
OTHER_ID = "079185000111"
PHONE = "+84821234088"
PASSWORD = "Sao-Mai#2026"
FORM = Registration(ID_NUMBER, "Nguyễn Văn An", date(1990, 9, 5), PHONE, "an.nguyen@gmail.com")


@dataclass
class Served:
    """A running sandbox: its URL, its state, what it texted, and a plain HTTP session to poke it."""

    url: str
    state: SandboxPortal
    http: aiohttp.ClientSession
    texted: list[SmsMessage] = field(default_factory=list)

    async def outbox(self, phone: str | None = PHONE) -> list[dict[str, Any]]:
        params = {"phone": phone} if phone else {}
        async with self.http.get(f"{self.url}/sandbox/outbox", params=params) as response:
            assert response.status == 200
            return list(await response.json())

    async def last_code(self, phone: str = PHONE) -> str:
        messages = await self.outbox(phone)
        match = re.search(r"\b([0-9]{6})\b", messages[-1]["text"])
        assert match, messages[-1]
        return match.group(1)

    async def seed(self, path: str, **body: str) -> None:
        async with self.http.post(f"{self.url}/sandbox/{path}", json=body) as response:
            assert response.status == 204, await response.text()

    async def post(self, path: str, body: object = None, **headers: str) -> tuple[int, Any]:
        async with self.http.post(self.url + path, json=body, headers=headers) as response:
            return response.status, await response.json()


@pytest.fixture
async def served(clock: ManualClock) -> AsyncIterator[Served]:
    texted: list[SmsMessage] = []
    runner, url = await start_sandbox("127.0.0.1", 0, clock=clock, on_sms=texted.append)
    async with aiohttp.ClientSession() as http:
        yield Served(url, runner.app[SANDBOX], http, texted)
    await runner.cleanup()


@pytest.fixture
async def client(served: Served) -> AsyncIterator[PortalClient]:
    async with PortalClient(served.url, retry_delays=(0, 0)) as portal:
        yield portal
