"""`PortalClient` against a scripted fake portal: failures, retries, headers, and what it never logs."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.portal.client import PortalClient
from conversations.portal import OtpSent, PortalRefusal, PortalUnavailable, RefusalCode
from tests.bot.portal.conftest import FORM, ID_NUMBER, PASSWORD, PHONE, Served

OTP_SENT = {"registration_id": "r1", "masked_phone": "082****088", "expires_in": 300, "resend_in": 60,
            "attempts_left": 5}


@dataclass
class Fake:
    """Answers every request with `status` and `body` (after `delay` seconds), or first with what `answer_once`
    queued, and records it."""

    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    seen: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    once: list[tuple[int, bytes]] = field(default_factory=list)

    def answer(self, status: int, body: object) -> None:
        self.status, self.body = status, json.dumps(body).encode()

    def answer_once(self, status: int, body: object) -> None:
        """The next request's answer only, before the standing one."""
        self.once.append((status, json.dumps(body).encode()))

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.raw_path, dict(request.headers), await request.json() if request.can_read_body
                          else None))
        await asyncio.sleep(self.delay)
        status, body = self.once.pop(0) if self.once else (self.status, self.body)
        return web.Response(status=status, body=body, content_type="application/json")


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    script = Fake()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", script.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    script.url = f"http://{host}:{port}"
    yield script
    await runner.cleanup()


def client_for(url: str, **options: Any) -> PortalClient:
    return PortalClient(url, **{"retry_delays": (0, 0), **options})


async def test_500_is_unavailable_after_retrying_idempotent_calls(fake: Fake) -> None:
    fake.answer(500, {"error": "boom"})
    async with client_for(fake.url) as client:
        with pytest.raises(PortalUnavailable):
            await client.account_exists(ID_NUMBER)
        assert len(fake.seen) == 3  # one try and two retries
        with pytest.raises(PortalUnavailable):
            await client.submit(FORM, "k")
        assert len(fake.seen) == 6
        assert {headers["Idempotency-Key"] for _, headers, _ in fake.seen[3:]} == {"k"}


async def test_state_changing_calls_are_not_repeated_after_a_response(fake: Fake) -> None:
    fake.answer(503, {})
    async with client_for(fake.url) as client:
        for call in (client.resend_otp("r1"), client.verify_otp("r1", "123456"), client.set_password("r1", PASSWORD)):
            with pytest.raises(PortalUnavailable):
                await call
    assert [path for path, _, _ in fake.seen] == [
        "/api/v1/registrations/r1/otp/resend", "/api/v1/registrations/r1/otp/verify",
        "/api/v1/registrations/r1/password"]


async def test_a_transient_failure_is_survived(fake: Fake) -> None:
    fake.answer_once(502, {})  # the first try only: however soon the retry comes
    fake.answer(201, OTP_SENT)
    async with client_for(fake.url) as client:
        assert await client.submit(FORM, "k") == OtpSent("r1", "082****088", 300, 60, 5)
    assert len(fake.seen) == 2


async def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client_for(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(PortalUnavailable):
            await client.verify_otp("r1", "123456")
        with pytest.raises(PortalUnavailable):
            await client.account_exists(ID_NUMBER)


async def test_timeout_is_unavailable(fake: Fake) -> None:
    fake.delay = 1.0
    async with client_for(fake.url, timeout=0.1, retry_delays=()) as client:
        with pytest.raises(PortalUnavailable):
            await client.account_exists(ID_NUMBER)


@pytest.mark.parametrize(("status", "body"), [
    (200, b"not json"),
    (200, b"[1, 2]"),
    (200, b'{"exists": "yes"}'),
    (200, b'{"exists": 1}'),
    (418, b'{"error": "teapot"}'),
    (401, b'{"error": "unauthorized"}'),
    (404, b'{"error": ["unknown_registration"]}'),
])
async def test_answers_outside_the_contract_are_unavailable(fake: Fake, status: int, body: bytes) -> None:
    fake.status, fake.body = status, body
    async with client_for(fake.url) as client:
        with pytest.raises(PortalUnavailable):
            await client.account_exists(ID_NUMBER)
    assert len(fake.seen) == 1  # a 4xx or a bad body is not retried


async def test_malformed_success_is_unavailable(fake: Fake) -> None:
    fake.answer(201, {**OTP_SENT, "expires_in": True})
    async with client_for(fake.url) as client:
        with pytest.raises(PortalUnavailable):
            await client.submit(FORM, "k")


async def test_refusals_are_values(fake: Fake) -> None:
    fake.answer(429, {"error": "send_limit", "retry_after": 420})
    async with client_for(fake.url) as client:
        assert await client.resend_otp("r/1") == PortalRefusal(RefusalCode.SEND_LIMIT, retry_after=420)
    assert fake.seen[0][0] == "/api/v1/registrations/r%2F1/otp/resend"  # ids cannot escape their path


async def test_request_bodies_and_headers(fake: Fake) -> None:
    fake.answer(201, OTP_SENT)
    async with client_for(fake.url + "/", api_key="s3cret") as client:
        await client.submit(FORM, "key-1")
    [(path, headers, body)] = fake.seen
    assert path == "/api/v1/registrations"
    assert headers["Authorization"] == "Bearer s3cret" and headers["Idempotency-Key"] == "key-1"
    assert body == {"id_number": ID_NUMBER, "full_name": "Nguyễn Văn An", "birth_date": "1990-09-05",
                    "phone": PHONE, "email": "an.nguyen@gmail.com"}


async def test_a_borrowed_session_stays_open(fake: Fake) -> None:
    async with aiohttp.ClientSession() as session:
        async with client_for(fake.url, session=session) as client:
            fake.answer(200, {"exists": True})
            assert await client.account_exists(ID_NUMBER) is True
        assert not session.closed


async def test_nothing_personal_is_logged(client: PortalClient, served: Served,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    otp = await client.submit(FORM, "k")
    assert isinstance(otp, OtpSent)
    code = await served.last_code()
    await client.verify_otp(otp.registration_id, "000000" if code != "000000" else "111111")
    await client.verify_otp(otp.registration_id, code)
    await client.set_password(otp.registration_id, PASSWORD)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "registration" in logged  # the sandbox does log events...
    for secret in (ID_NUMBER, PHONE, PHONE[3:], FORM.full_name, "an.nguyen", PASSWORD, code):
        assert secret not in logged  # ...but nothing about the citizen
