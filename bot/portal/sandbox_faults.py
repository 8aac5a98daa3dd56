"""Sandbox only, for tests: make the portal slow or failing, and move its clock.

The real portal times out and answers 5xx now and then, and its clock is
not ours. To prove the bot copes (bounded retries, the citizen told, no
second registration, expiry decided by the portal), tests inject those
faults into a running sandbox over HTTP:

- `POST /sandbox/faults` `{"operation": "submit", "delay": 12, "status": 503, "times": 2, "applied": false}`:
  the next `times` calls of `operation` (any API call when omitted) wait
  `delay` seconds before answering and/or answer `status` instead. With
  `applied` (and always when only delayed) the call takes effect first
  and only its answer is late or lost — the case idempotency keys exist for.
- `GET /sandbox/faults`: the faults still armed and how many calls each operation received.
- `POST /sandbox/clock` `{"offset": 600}`: the portal's clock runs that many seconds ahead (negative: behind).

None of this exists on the real portal; `/sandbox/reset` disarms it all.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

OPERATIONS = ("account_exists", "submit", "resend_otp", "verify_otp", "set_password")
MAX_DELAY = 600.0


class BadFault(ValueError):
    """A fault request the sandbox cannot arm; answered 422 with the reason."""


@dataclass(slots=True)
class Fault:
    operation: str | None  # None: any API call
    delay: float = 0.0
    status: int | None = None
    times: int = 1
    applied: bool = False


class Faults:
    """What is armed, what the API received (per operation, as `bot.portal.client` names them), the clock skew."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.armed: list[Fault] = []
        self.calls: Counter[str] = Counter()
        self.offset = timedelta(0)

    def skewed(self, clock: Callable[[], datetime]) -> Callable[[], datetime]:
        """`clock`, moved by the offset set through `POST /sandbox/clock`: the portal's own time."""
        return lambda: clock() + self.offset

    def arm(self, body: Any) -> Fault:
        if not isinstance(body, dict):
            raise BadFault("the body must be a JSON object")
        operation, delay, status = body.get("operation"), body.get("delay", 0), body.get("status")
        times, applied = body.get("times", 1), body.get("applied", False)
        if operation is not None and operation not in OPERATIONS:
            raise BadFault(f"operation must be one of {', '.join(OPERATIONS)}")
        if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY:
            raise BadFault(f"delay must be 0 to {MAX_DELAY:g} seconds")
        if status is not None and not (isinstance(status, int) and 500 <= status <= 599):
            raise BadFault("status must be a 5xx code")
        if not (isinstance(times, int) and times >= 1) or not isinstance(applied, bool):
            raise BadFault("times must be a positive integer and applied a boolean")
        if not delay and status is None:
            raise BadFault("a fault needs a delay, a status, or both")
        fault = Fault(operation, float(delay), status, times, applied)
        self.armed.append(fault)
        return fault

    def take(self, operation: str) -> Fault | None:
        """Count the call; the first armed fault for it, spent by one."""
        self.calls[operation] += 1
        for fault in self.armed:
            if fault.operation in (None, operation):
                fault.times -= 1
                if fault.times == 0:
                    self.armed.remove(fault)
                return fault
        return None


FAULTS = web.AppKey("faults", Faults)


def fault_middleware() -> Middleware:
    """Applies armed faults to the API routes (named after their operation)."""

    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        operation = request.match_info.route.name
        if operation not in OPERATIONS:
            return await handler(request)
        fault = request.app[FAULTS].take(operation)
        if fault is None:
            return await handler(request)
        if fault.status is not None and not fault.applied:
            await asyncio.sleep(fault.delay)
            return _failure(fault.status)
        response = await handler(request)  # takes effect now; only the answer is late or lost
        await asyncio.sleep(fault.delay)
        return _failure(fault.status) if fault.status is not None else response

    return inject


def _failure(status: int) -> web.Response:
    return web.json_response({"error": "sandbox_fault", "detail": "injected by POST /sandbox/faults"}, status=status)


async def arm_fault(request: web.Request) -> web.Response:
    try:
        fault = request.app[FAULTS].arm(await request.json())
    except (BadFault, ValueError) as error:
        return web.json_response({"error": "invalid_data", "detail": str(error)}, status=422)
    return web.json_response(asdict(fault), status=201)


async def list_faults(request: web.Request) -> web.Response:
    faults = request.app[FAULTS]
    return web.json_response({"armed": [asdict(fault) for fault in faults.armed], "calls": dict(faults.calls)})


async def set_clock(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        offset = body["offset"] if isinstance(body, dict) else None
        if not isinstance(offset, int | float) or isinstance(offset, bool) or not math.isfinite(offset):
            raise ValueError("offset must be a number of seconds")
        skew = timedelta(seconds=offset)
    except (ValueError, KeyError, OverflowError) as error:
        return web.json_response({"error": "invalid_data", "detail": str(error)}, status=422)
    request.app[FAULTS].offset = skew
    return web.json_response({"offset": skew.total_seconds()})


def mount_faults(app: web.Application, faults: Faults) -> None:
    app[FAULTS] = faults
    app.router.add_post("/sandbox/faults", arm_fault)
    app.router.add_get("/sandbox/faults", list_faults, allow_head=False)
    app.router.add_post("/sandbox/clock", set_clock)
