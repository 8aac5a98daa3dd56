"""The sandbox portal's HTTP face: `docs/portal-openapi.json` served over `SandboxPortal`.

This module only translates: JSON in, validation of the form's shape, the
rule call, JSON and status code out. The rules live in `sandbox_state`, so
both can be read (and tested) on their own. The `/sandbox/*` routes exist
only here: testers read the SMS outbox and seed accounts and subscribers;
tests also make it slow or failing and move its clock (`sandbox_faults`).
With an API key, the `/sandbox/*` routes need it as the API does: a
`regbot portal` reachable by others must not hand out SMS codes.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.portal.sandbox_faults import FAULTS, Faults, fault_middleware, mount_faults
from bot.portal.sandbox_state import RandomSource, SandboxPortal, SmsMessage
from conversations.portal import (
    AccountCreated,
    OtpSent,
    OtpVerified,
    PortalRefusal,
    RefusalCode,
    Registration,
)

SANDBOX = web.AppKey("sandbox", SandboxPortal)
API = "/api/v1"

STATUS = {
    RefusalCode.ACCOUNT_EXISTS: 409,
    RefusalCode.PHONE_NOT_OWNED: 422,
    RefusalCode.INVALID_DATA: 422,
    RefusalCode.RESEND_COOLDOWN: 429,
    RefusalCode.SEND_LIMIT: 429,
    RefusalCode.OTP_INVALID: 400,
    RefusalCode.OTP_EXPIRED: 410,
    RefusalCode.OTP_LOCKED: 423,
    RefusalCode.NOT_VERIFIED: 409,
    RefusalCode.WEAK_PASSWORD: 422,
    RefusalCode.UNKNOWN_REGISTRATION: 404,
}

_ID_NUMBER = re.compile(r"[0-9]{9}|[0-9]{12}")  # CMND or CCCD
_PHONE = re.compile(r"\+84[0-9]{9}")
_CODE = re.compile(r"[0-9]{6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_NAME_LIMIT = 100


class _Invalid(Exception):
    """The request does not fit the contract; becomes 422 invalid_data with `detail`."""


def refusal_response(refusal: PortalRefusal, detail: str | None = None) -> web.Response:
    body: dict[str, Any] = {"error": refusal.code.value}
    headers = {}
    if refusal.retry_after is not None:
        body["retry_after"] = refusal.retry_after
        headers["Retry-After"] = str(refusal.retry_after)
    if refusal.attempts_left is not None:
        body["attempts_left"] = refusal.attempts_left
    if detail is not None:
        body["detail"] = detail
    return web.json_response(body, status=STATUS[refusal.code], headers=headers)


def _otp_sent(answer: OtpSent | PortalRefusal, status: int) -> web.Response:
    if isinstance(answer, PortalRefusal):
        return refusal_response(answer)
    return web.json_response({
        "registration_id": answer.registration_id, "masked_phone": answer.masked_phone,
        "expires_in": answer.expires_in, "resend_in": answer.resend_in, "attempts_left": answer.attempts_left,
    }, status=status)


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _Invalid("the body must be JSON") from None
    if not isinstance(body, dict):
        raise _Invalid("the body must be a JSON object")
    return body


def _text(body: dict[str, Any], name: str, pattern: re.Pattern[str] | None = None) -> str:
    value = body.get(name)
    if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
        raise _Invalid(f"{name} is missing or malformed")
    return value


def _registration(body: dict[str, Any], today: date) -> Registration:
    full_name = _text(body, "full_name").strip()
    if not 0 < len(full_name) <= _NAME_LIMIT:
        raise _Invalid("full_name is missing or too long")
    birth_date = date.fromisoformat(_text(body, "birth_date", _DATE))  # shape checked: ValueError = bad day
    if not date(1900, 1, 1) <= birth_date <= today:
        raise _Invalid("birth_date is out of range")
    email = body.get("email")
    if email is not None and not (isinstance(email, str) and len(email) <= 254 and _EMAIL.fullmatch(email)):
        raise _Invalid("email is malformed")
    return Registration(
        id_number=_text(body, "id_number", _ID_NUMBER), full_name=full_name, birth_date=birth_date,
        phone=_text(body, "phone", _PHONE), email=email,
    )


# -- /api/v1 -------------------------------------------------------------------


async def check_account(request: web.Request) -> web.Response:
    id_number = _text(await _json_object(request), "id_number", _ID_NUMBER)
    return web.json_response({"exists": request.app[SANDBOX].account_exists(id_number)})


async def submit(request: web.Request) -> web.Response:
    portal = request.app[SANDBOX]
    key = request.headers.get("Idempotency-Key", "")
    if not _KEY.fullmatch(key):
        raise _Invalid("the Idempotency-Key header is required (1 to 255 visible ASCII characters)")
    try:
        form = _registration(await _json_object(request), portal.now().date())
    except ValueError as error:  # date.fromisoformat on a day that does not exist
        raise _Invalid("birth_date is not a real date") from error
    return _otp_sent(portal.submit(form, key), 201)


async def resend(request: web.Request) -> web.Response:
    return _otp_sent(request.app[SANDBOX].resend_otp(request.match_info["registration_id"]), 200)


async def verify(request: web.Request) -> web.Response:
    code = _text(await _json_object(request), "code", _CODE)  # a typo is no attempt
    answer = request.app[SANDBOX].verify_otp(request.match_info["registration_id"], code)
    if isinstance(answer, OtpVerified):
        return web.json_response({"registration_id": answer.registration_id, "verified": True})
    return refusal_response(answer)


async def set_password(request: web.Request) -> web.Response:
    password = _text(await _json_object(request), "password")
    answer = request.app[SANDBOX].set_password(request.match_info["registration_id"], password)
    if isinstance(answer, AccountCreated):
        return web.json_response({"username": answer.username}, status=201)
    return refusal_response(answer)


async def health(request: web.Request) -> web.Response:
    """Cheap and side-effect free: the bot's /readyz asks it whether the portal is reachable (and the key right)."""
    return web.json_response({"status": "ok"})


# -- /sandbox --------------------------------------------------------------------


def _sms_json(sms: SmsMessage) -> dict[str, str]:
    return {"phone": sms.phone, "text": sms.text, "sent_at": sms.sent_at.isoformat()}


async def outbox(request: web.Request) -> web.Response:
    phone = request.query.get("phone", "").replace(" ", "+")  # an unencoded "+" arrives as a space
    messages = request.app[SANDBOX].outbox
    return web.json_response([_sms_json(sms) for sms in messages if not phone or sms.phone == phone])


async def seed_account(request: web.Request) -> web.Response:
    request.app[SANDBOX].add_account(_text(await _json_object(request), "id_number", _ID_NUMBER))
    return web.Response(status=204)


async def seed_subscriber(request: web.Request) -> web.Response:
    body = await _json_object(request)
    request.app[SANDBOX].add_subscriber(_text(body, "phone", _PHONE), _text(body, "id_number", _ID_NUMBER))
    return web.Response(status=204)


async def login(request: web.Request) -> web.Response:
    body = await _json_object(request)
    ok = request.app[SANDBOX].login(_text(body, "id_number", _ID_NUMBER), _text(body, "password"))
    return web.json_response({"ok": ok}, status=200 if ok else 401)


async def reset(request: web.Request) -> web.Response:
    request.app[SANDBOX].reset()
    request.app[FAULTS].reset()
    return web.Response(status=204)


# -- the application ----------------------------------------------------------------

GUARDED = (API + "/", "/sandbox/")  # with a key, the tester's routes too: they read every SMS code, reset all


def _middleware(api_key: str | None) -> Middleware:
    expected = f"Bearer {api_key}".encode() if api_key else None

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if expected is not None and request.path.startswith(GUARDED):
            given = request.headers.get("Authorization", "").encode("utf-8", "surrogatepass")  # a non-UTF-8 header too
            if not hmac.compare_digest(given, expected):
                return web.json_response({"error": "unauthorized"}, status=401,
                                         headers={"WWW-Authenticate": "Bearer"})
        try:
            return await handler(request)
        except _Invalid as invalid:
            return refusal_response(PortalRefusal(RefusalCode.INVALID_DATA), detail=str(invalid))

    return guard


def create_sandbox_app(
    clock: Callable[[], datetime] | None = None,
    on_sms: Callable[[SmsMessage], None] | None = None,
    api_key: str | None = None,
    rng: RandomSource = secrets,
) -> web.Application:
    """The sandbox portal as an aiohttp application; `app[SANDBOX]` is its state, `app[FAULTS]` the test faults."""
    faults = Faults()
    app = web.Application(middlewares=[_middleware(api_key), fault_middleware()])
    app[SANDBOX] = SandboxPortal(faults.skewed(clock or (lambda: datetime.now(UTC))), on_sms, rng)
    registration = API + "/registrations/{registration_id}"
    app.router.add_post(API + "/accounts/check", check_account, name="account_exists")
    app.router.add_post(API + "/registrations", submit, name="submit")
    app.router.add_post(registration + "/otp/resend", resend, name="resend_otp")
    app.router.add_post(registration + "/otp/verify", verify, name="verify_otp")
    app.router.add_post(registration + "/password", set_password, name="set_password")
    app.router.add_get(API + "/health", health, allow_head=False)
    mount_faults(app, faults)
    app.router.add_get("/sandbox/outbox", outbox, allow_head=False)
    app.router.add_post("/sandbox/accounts", seed_account)
    app.router.add_post("/sandbox/subscribers", seed_subscriber)
    app.router.add_post("/sandbox/login", login)
    app.router.add_post("/sandbox/reset", reset)
    return app
