"""The sandbox's HTTP surface as raw requests: statuses, bodies, headers, the /sandbox routes, the API key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.portal.client import PortalClient
from bot.portal.sandbox import start_sandbox
from conversations.portal import OtpSent, PortalUnavailable
from tests.bot.portal.conftest import FORM, ID_NUMBER, OTHER_ID, PHONE, Served
from tests.clock import ManualClock
from tests.raw_http import post_raw

BODY: dict[str, Any] = {
    "id_number": ID_NUMBER, "full_name": "Nguyễn Văn An", "birth_date": "1990-09-05", "phone": PHONE,
    "email": None,
}


async def test_submit_replay_answers_the_original_status_and_body(served: Served) -> None:
    first = await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "k"})
    again = await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "k"})
    assert first[0] == 201 and again == first
    assert len(await served.outbox()) == 1
    assert await served.post("/api/v1/registrations", {**BODY, "email": "an@example.com"},
                             **{"Idempotency-Key": "k"}) == (422, {"error": "invalid_data"})


async def test_refusal_replay_answers_the_original_refusal(served: Served) -> None:
    await served.seed("accounts", id_number=ID_NUMBER)
    first = await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "k"})
    assert first == (409, {"error": "account_exists"})
    assert await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "k"}) == first


@pytest.mark.parametrize(("change", "headers", "detail"), [
    ({}, {}, "Idempotency-Key"),
    ({"birth_date": "05/09/1990"}, {"Idempotency-Key": "k"}, "birth_date"),
    ({"birth_date": "1990-02-30"}, {"Idempotency-Key": "k"}, "birth_date"),
    ({"birth_date": "2027-01-01"}, {"Idempotency-Key": "k"}, "birth_date"),  # after the clock's today
    ({"id_number": "12345"}, {"Idempotency-Key": "k"}, "id_number"),
    ({"phone": "0821234088"}, {"Idempotency-Key": "k"}, "phone"),
    ({"full_name": "  "}, {"Idempotency-Key": "k"}, "full_name"),
    ({"email": "not-an-email"}, {"Idempotency-Key": "k"}, "email"),
])
async def test_invalid_submissions(served: Served, change: dict[str, str], headers: dict[str, str],
                                   detail: str) -> None:
    status, body = await served.post("/api/v1/registrations", {**BODY, **change}, **headers)
    assert status == 422 and body["error"] == "invalid_data" and detail in body["detail"]
    assert await served.outbox(None) == []


async def test_body_that_is_not_a_json_object(served: Served) -> None:
    async with served.http.post(served.url + "/api/v1/accounts/check", data=b"{oops") as response:
        assert response.status == 422 and (await response.json())["error"] == "invalid_data"
    assert await served.post("/api/v1/accounts/check", ["001090012345"]) == (
        422, {"error": "invalid_data", "detail": "the body must be a JSON object"})


async def test_cooldown_carries_retry_after_header(served: Served, clock: ManualClock) -> None:
    _, otp = await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "k"})
    clock.advance(59.5)
    url = f"{served.url}/api/v1/registrations/{otp['registration_id']}/otp/resend"
    async with served.http.post(url) as response:
        assert response.status == 429 and response.headers["Retry-After"] == "1"
        assert await response.json() == {"error": "resend_cooldown", "retry_after": 1}


async def test_outbox_filters_by_phone_and_dates_each_message(served: Served, clock: ManualClock) -> None:
    other_phone = "+84912345678"
    await served.post("/api/v1/registrations", BODY, **{"Idempotency-Key": "a"})
    clock.advance(5)
    await served.post("/api/v1/registrations", {**BODY, "id_number": OTHER_ID, "phone": other_phone},
                      **{"Idempotency-Key": "b"})
    [mine] = await served.outbox(PHONE)
    assert mine["phone"] == PHONE and datetime.fromisoformat(mine["sent_at"]) == clock() - timedelta(seconds=5)
    assert [m["phone"] for m in await served.outbox(None)] == [PHONE, other_phone]
    async with served.http.get(f"{served.url}/sandbox/outbox?phone=+84912345678") as response:  # "+" unencoded
        assert [m["phone"] for m in await response.json()] == [other_phone]


async def test_reset_forgets_everything(served: Served) -> None:
    await served.seed("accounts", id_number=ID_NUMBER)
    await served.post("/api/v1/registrations", {**BODY, "id_number": OTHER_ID}, **{"Idempotency-Key": "k"})
    async with served.http.post(served.url + "/sandbox/reset") as response:
        assert response.status == 204
    assert await served.outbox(None) == []
    assert await served.post("/api/v1/accounts/check", {"id_number": ID_NUMBER}) == (200, {"exists": False})


async def test_seeding_validates_its_input(served: Served) -> None:
    status, body = await served.post("/sandbox/subscribers", {"phone": "0821234088", "id_number": ID_NUMBER})
    assert status == 422 and body["error"] == "invalid_data"


@pytest.fixture
async def locked(clock: ManualClock) -> AsyncIterator[str]:
    runner, url = await start_sandbox("127.0.0.1", 0, clock=clock, api_key="s3cret")
    yield url
    await runner.cleanup()


async def test_api_key_is_enforced_when_configured_on_the_api_and_the_sandbox_routes(locked: str) -> None:
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            async with http.post(locked + "/api/v1/accounts/check", json={"id_number": ID_NUMBER},
                                 headers=headers) as response:
                assert response.status == 401 and await response.json() == {"error": "unauthorized"}
                assert response.headers["WWW-Authenticate"] == "Bearer"
        for path in ("/sandbox/outbox", "/sandbox/faults"):  # the tester's routes read every SMS code
            async with http.get(locked + path) as response:
                assert response.status == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        async with http.post(locked + "/sandbox/reset") as response:
            assert response.status == 401
        async with http.get(locked + "/sandbox/outbox", headers={"Authorization": "Bearer s3cret"}) as response:
            assert response.status == 200 and await response.json() == []
    async with PortalClient(locked, api_key="s3cret") as good:
        assert await good.account_exists(ID_NUMBER) is False
        assert isinstance(await good.submit(FORM, "k"), OtpSent)
    async with PortalClient(locked, retry_delays=()) as keyless:
        with pytest.raises(PortalUnavailable):
            await keyless.account_exists(ID_NUMBER)


@pytest.mark.parametrize("authorization", ["Bearer s3crét".encode(), b"Bearer s3cr\xe9t", b"Bearer \xff"])
async def test_an_api_key_of_bytes_no_key_has_is_refused_with_401(locked: str, authorization: bytes) -> None:
    """Not a 500 with a traceback: a header that is not UTF-8 reaches the handler as a lone surrogate."""
    assert await post_raw(locked + "/api/v1/accounts/check", {"Authorization": authorization},
                          b'{"id_number": "001090012345"}') == 401
