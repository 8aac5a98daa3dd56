"""Running the sandbox: a real port from port 0, the SMS printed for testers, codes never stored in clear."""

from __future__ import annotations

import asyncio
import re
import socket

import aiohttp
import pytest

from bot.portal.sandbox import SandboxPortal, create_sandbox_app, run_sandbox, sms_line, start_sandbox
from bot.portal.sandbox_http import SANDBOX
from bot.portal.sandbox_state import SmsMessage
from conversations.portal import OtpSent, OtpVerified
from tests.bot.portal.conftest import FORM, PHONE
from tests.clock import ManualClock


class Fixed:
    """A "random" source that always draws the same number."""

    def __init__(self, value: int) -> None:
        self.value = value

    def randbelow(self, exclusive_upper_bound: int, /) -> int:
        assert exclusive_upper_bound == 1_000_000
        return self.value


async def test_port_zero_answers_the_real_port() -> None:
    runner, url = await start_sandbox("127.0.0.1", 0)
    try:
        port = int(url.rsplit(":", 1)[1])
        assert url == f"http://127.0.0.1:{port}" and port > 0
        async with aiohttp.ClientSession() as http, http.get(url + "/sandbox/outbox") as response:
            assert response.status == 200 and await response.json() == []
    finally:
        await runner.cleanup()


async def test_a_busy_port_is_an_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            await start_sandbox("127.0.0.1", taken.getsockname()[1])


def test_sms_line_masks_the_phone_but_shows_the_code() -> None:
    line = sms_line(SmsMessage(PHONE, "Ma xac thuc ...: 123456. Ma co hieu luc trong 5 phut.", ManualClock()()))
    assert line == "[SMS to 082****088] Ma xac thuc ...: 123456. Ma co hieu luc trong 5 phut."


async def test_run_sandbox_prints_each_sms_until_cancelled(clock: ManualClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lines: list[str] = []
    task = asyncio.create_task(run_sandbox("127.0.0.1", port, "key", clock=clock, out=lines.append))
    while not lines:
        await asyncio.sleep(0.01)
    assert lines == [f"Sandbox portal listening on http://127.0.0.1:{port} (API under "
                     f"http://127.0.0.1:{port}/api/v1, Bearer key required)"]
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer key"}) as http:
        body = {"id_number": FORM.id_number, "full_name": FORM.full_name, "birth_date": "1990-09-05",
                "phone": PHONE, "email": None}
        async with http.post(f"http://127.0.0.1:{port}/api/v1/registrations", json=body,
                             headers={"Idempotency-Key": "k"}) as response:
            assert response.status == 201
    assert re.fullmatch(r"\[SMS to 082\*\*\*\*088\] Ma xac thuc dang ky tai khoan Cong DVC quoc gia: "
                        r"[0-9]{6}\. Ma co hieu luc trong 5 phut\.", lines[1])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_codes_come_from_the_random_source_and_are_stored_hashed(clock: ManualClock) -> None:
    state = SandboxPortal(clock, rng=Fixed(4321))
    otp = state.submit(FORM, "k")
    assert isinstance(otp, OtpSent)
    assert state.outbox[-1].text == ("Ma xac thuc dang ky tai khoan Cong DVC quoc gia: 004321. "
                                     "Ma co hieu luc trong 5 phut.")
    pending = state._pending[otp.registration_id]
    assert "004321" not in repr(pending) and b"004321" not in pending.code_mac
    assert state.verify_otp(otp.registration_id, "004321") == OtpVerified(otp.registration_id)


def test_the_app_factory_defaults_to_the_wall_clock() -> None:
    app = create_sandbox_app()
    assert app[SANDBOX].now().tzinfo is not None
