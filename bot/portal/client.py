"""`PortalClient`: the `Portal` port over HTTP, as described in `docs/portal-openapi.json`.

Answers the citizen can cause (account exists, wrong code...) come back as
`PortalRefusal` values; everything else — connection refused, timeout, 5xx,
a body that is not the contract's JSON, our API key refused — raises
`PortalUnavailable`, so the flow can say "try again later".

Retries are bounded (at most 2, with short pauses) and depend on whether a
repeat is harmless:
- `account_exists` and `submit` are retried on any transport failure or 5xx:
  the check only reads, and the `Idempotency-Key` makes a repeated submit
  answer the original result without a second SMS;
- `resend_otp`, `verify_otp` and `set_password` change state (a new SMS
  counting toward the send limit, one of the 5 attempts, the account), so
  they are retried only when the connection could not be opened at all,
  i.e. the request surely never left.

Request bodies carry personal data and the password; none of it, nor any
URL, is logged — only the operation's name and the failure's kind.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from conversations.portal import (
    AccountCreated,
    OtpSent,
    OtpVerified,
    PortalRefusal,
    PortalUnavailable,
    RefusalCode,
    Registration,
)

log = logging.getLogger(__name__)

_REFUSALS = {code.value: code for code in RefusalCode}
RETRY_DELAYS = (0.2, 0.5)  # pauses before the 2nd and 3rd try
Body = dict[str, Any]
T = TypeVar("T")


class PortalClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 10.0,
        session: aiohttp.ClientSession | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        """`session` is borrowed, never closed here; without one the client opens (and closes) its own."""
        self._api = base_url.rstrip("/") + "/api/v1"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._borrowed = session
        self._own: aiohttp.ClientSession | None = None
        self._retry_delays = tuple(retry_delays)

    async def close(self) -> None:
        if self._own is not None:
            await self._own.close()
            self._own = None

    async def __aenter__(self) -> PortalClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    # -- the Portal protocol -----------------------------------------------------

    async def account_exists(self, id_number: str) -> bool:
        status, body = await self._post("account_exists", "/accounts/check", {"id_number": id_number},
                                        idempotent=True)
        if status == 200 and isinstance(body.get("exists"), bool):
            return bool(body["exists"])
        raise _unexpected("account_exists", status)

    async def submit(self, registration: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        payload = {
            "id_number": registration.id_number, "full_name": registration.full_name,
            "birth_date": registration.birth_date.isoformat(), "phone": registration.phone,
            "email": registration.email,
        }
        status, body = await self._post("submit", "/registrations", payload, idempotent=True,
                                        headers={"Idempotency-Key": idempotency_key})
        return _otp_sent("submit", status, body, success=201)

    async def resend_otp(self, registration_id: str) -> OtpSent | PortalRefusal:
        status, body = await self._post("resend_otp", _registration(registration_id, "/otp/resend"), {})
        return _otp_sent("resend_otp", status, body, success=200)

    async def verify_otp(self, registration_id: str, code: str) -> OtpVerified | PortalRefusal:
        status, body = await self._post("verify_otp", _registration(registration_id, "/otp/verify"),
                                        {"code": code})
        if status == 200 and body.get("verified") is True:
            return OtpVerified(_field(body, "registration_id", str, "verify_otp"))
        return _refusal("verify_otp", status, body)

    async def set_password(self, registration_id: str, password: str) -> AccountCreated | PortalRefusal:
        status, body = await self._post("set_password", _registration(registration_id, "/password"),
                                        {"password": password})
        if status == 201:
            return AccountCreated(_field(body, "username", str, "set_password"))
        return _refusal("set_password", status, body)

    # -- for operations -------------------------------------------------------------

    async def ping(self, timeout: float = 2.0) -> None:
        """Whether `GET /health` answers 200 within `timeout` (no retry): raises `PortalUnavailable` saying why not.

        For readiness checks (`/readyz`), not for the flow: a 401 here means our API key is refused.
        """
        try:
            async with self._session().get(self._api + "/health", headers=self._headers,
                                           timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PortalUnavailable(type(error).__name__) from error
        if status != 200:
            raise PortalUnavailable(f"HTTP {status}")

    # -- transport -----------------------------------------------------------------

    def _session(self) -> aiohttp.ClientSession:
        if self._borrowed is not None:
            return self._borrowed
        if self._own is None:
            self._own = aiohttp.ClientSession()
        return self._own

    async def _post(
        self, operation: str, path: str, payload: Body, *, idempotent: bool = False,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Body]:
        """POST JSON; answer (status, JSON object) of any non-5xx answer, retrying as the module says."""
        tries = len(self._retry_delays) + 1
        cause: BaseException | None
        for attempt in range(1, tries + 1):
            try:
                async with self._session().post(
                    self._api + path, json=payload, headers={**self._headers, **(headers or {})},
                    timeout=self._timeout,
                ) as response:
                    status, raw = response.status, await response.read()
            except aiohttp.ClientConnectorError as error:  # never connected: the request did not leave
                failure, retry, cause = type(error).__name__, True, error
            except (aiohttp.ClientError, TimeoutError) as error:
                failure, retry, cause = type(error).__name__, idempotent, error
            else:
                if status < 500:
                    return status, _json_object(operation, status, raw)
                failure, retry, cause = f"HTTP {status}", idempotent, None
            if not retry or attempt == tries:
                log.warning("portal %s failed (%s) after %d attempt(s)", operation, failure, attempt)
                raise PortalUnavailable(f"portal {operation} failed: {failure}") from cause
            log.info("portal %s failed (%s); retrying", operation, failure)
            await asyncio.sleep(self._retry_delays[attempt - 1])
        raise AssertionError("unreachable")


def longest_call(timeout: float, retry_delays: Sequence[float] = RETRY_DELAYS) -> float:
    """The longest one operation can take with its retries: what the dialog's lock must outlast."""
    return timeout * (len(retry_delays) + 1) + sum(retry_delays)


def _registration(registration_id: str, tail: str) -> str:
    return "/registrations/" + quote(registration_id, safe="") + tail


def _json_object(operation: str, status: int, raw: bytes) -> Body:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _unexpected(operation, status, "the body is not a JSON object")
    return body


def _field(body: Body, name: str, kind: type[T], operation: str) -> T:
    value = body.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):  # JSON true is no int
        raise _unexpected(operation, 200, f"{name} is missing or malformed")
    return value


def _optional_int(body: Body, name: str, operation: str) -> int | None:
    return None if body.get(name) is None else _field(body, name, int, operation)


def _otp_sent(operation: str, status: int, body: Body, success: int) -> OtpSent | PortalRefusal:
    if status != success:
        return _refusal(operation, status, body)
    return OtpSent(
        registration_id=_field(body, "registration_id", str, operation),
        masked_phone=_field(body, "masked_phone", str, operation),
        expires_in=_field(body, "expires_in", int, operation),
        resend_in=_field(body, "resend_in", int, operation),
        attempts_left=_field(body, "attempts_left", int, operation),
    )


def _refusal(operation: str, status: int, body: Body) -> PortalRefusal:
    error = body.get("error")
    code = _REFUSALS.get(error) if isinstance(error, str) and 400 <= status < 500 else None
    if code is None:
        raise _unexpected(operation, status)
    return PortalRefusal(code, retry_after=_optional_int(body, "retry_after", operation),
                         attempts_left=_optional_int(body, "attempts_left", operation))


def _unexpected(operation: str, status: int, why: str = "not in the contract") -> PortalUnavailable:
    log.error("portal %s: unexpected answer, HTTP %d (%s)", operation, status, why)
    return PortalUnavailable(f"portal {operation}: unexpected answer HTTP {status} ({why})")
