"""The sandbox's test-only faults: a slow or failing portal, and a skewed clock, armed over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.portal.client import PortalClient
from conversations.portal import OtpSent, PortalUnavailable
from tests.bot.portal.conftest import FORM, ID_NUMBER, Served
from tests.clock import ManualClock


async def arm(served: Served, **fault: object) -> None:
    status, body = await served.post("/sandbox/faults", fault)
    assert status == 201, body


async def calls(served: Served) -> dict[str, int]:
    async with served.http.get(f"{served.url}/sandbox/faults") as response:
        return dict((await response.json())["calls"])


async def test_a_5xx_fault_fails_that_many_calls_without_effect(client: PortalClient, served: Served) -> None:
    await arm(served, operation="submit", status=503, times=3)
    with pytest.raises(PortalUnavailable):
        await client.submit(FORM, "k")  # three tries, three 503s
    assert await served.outbox() == []
    assert isinstance(await client.submit(FORM, "k"), OtpSent)  # spent: the portal is well again
    assert await calls(served) == {"submit": 4}


async def test_an_applied_5xx_takes_effect_and_loses_the_answer(client: PortalClient, served: Served) -> None:
    await arm(served, operation="submit", status=502, applied=True)
    otp = await client.submit(FORM, "k")  # the retry with the same key gets the first registration
    assert isinstance(otp, OtpSent)
    assert len(await served.outbox()) == 1 and len(served.state._pending) == 1


async def test_a_delay_answers_late_after_taking_effect(served: Served) -> None:
    await arm(served, operation="account_exists", delay=0.2)
    async with PortalClient(served.url, timeout=5) as patient:
        assert await patient.account_exists(ID_NUMBER) is False  # late, but answered
    async with PortalClient(served.url, timeout=0.1, retry_delays=()) as impatient:
        await arm(served, operation="submit", delay=1)
        with pytest.raises(PortalUnavailable):
            await impatient.submit(FORM, "k")
    assert len(await served.outbox()) == 1  # the portal did it; only the answer came too late


async def test_faults_only_touch_their_operation_and_reset_disarms_them(client: PortalClient, served: Served) -> None:
    await arm(served, operation="verify_otp", status=500, times=5)
    assert isinstance(await client.submit(FORM, "k"), OtpSent)
    async with served.http.get(f"{served.url}/sandbox/faults") as response:
        assert (await response.json())["armed"][0]["times"] == 5
    async with served.http.post(f"{served.url}/sandbox/reset") as response:
        assert response.status == 204
    async with served.http.get(f"{served.url}/sandbox/faults") as response:
        assert await response.json() == {"armed": [], "calls": {}}


@pytest.mark.parametrize("fault", [
    {}, {"delay": -1}, {"delay": 601}, {"status": 404}, {"status": 503, "times": 0}, {"operation": "nope", "delay": 1},
    {"status": 503, "applied": "yes"}, [],
])
async def test_nonsense_faults_are_refused(served: Served, fault: object) -> None:
    status, body = await served.post("/sandbox/faults", fault)
    assert status == 422 and body["error"] == "invalid_data"


async def test_the_clock_offset_moves_every_portal_decision(
    client: PortalClient, served: Served, clock: ManualClock,
) -> None:
    otp = await client.submit(FORM, "k")
    assert isinstance(otp, OtpSent)
    assert await served.post("/sandbox/clock", {"offset": 301}) == (200, {"offset": 301.0})
    expired = await client.verify_otp(otp.registration_id, await served.last_code())
    assert getattr(expired, "code", None) == "otp_expired"
    again = await client.resend_otp(otp.registration_id)  # the cooldown is long over by the portal's clock
    assert isinstance(again, OtpSent) and again.expires_in == 300
    assert (await served.outbox())[-1]["sent_at"] == (clock.now + timedelta(seconds=301)).isoformat()
    for wrong in ({}, {"offset": "soon"}, {"offset": True}, {"offset": 1e300}):
        status, _ = await served.post("/sandbox/clock", wrong)
        assert status == 422
