"""Every Prometheus metric the bot exposes at `/metrics`, defined in one place.

They are fed from the layer below the adapters — `bot/channels/telegram/front.py` and
`bot/core/switchboard.py`
(updates and how long they take), `bot/core/assistant.py` through
`bot/ops/flow_metrics.py` (funnel, refusals, OTP outcomes, handoffs) and
`bot/channels/telegram/delivery.py` (Bot API calls) — never from `conversations/`,
which stays pure. Counters and the histogram count what this process did:
with several workers Prometheus scrapes each one and `sum()` adds them up.
The help desk's waiting cases are state in the shared Redis, read when
`/metrics` is scraped, so every worker reports the same figure (use `max()`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import cache

from aiohttp import web
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.aiohttp import make_aiohttp_handler
from redis.exceptions import RedisError

from conversations.dialog import HandoffReason, StepName

log = logging.getLogger(__name__)

# Defined at import, as prometheus-client expects: each name registers once per process.
UPDATES = Counter("regbot_updates", "Telegram updates handled, by kind: text, command, press, contact, a media "
                  "kind (sticker, photo...), desk (staff group, edits) or ignored", ["kind"])
UPDATE_FAILURES = Counter("regbot_update_failures", "Updates not handled: the dialog store failed (Redis down, a "
                          "dialog locked too long) or an unexpected error", ["kind"])
RATE_LIMITED = Counter("regbot_rate_limited", "Citizen updates dropped unread over MESSAGE_RATE_LIMIT (a flood, "
                       "a script or a stuck key)")
HANDLING_SECONDS = Histogram(
    "regbot_update_handling_seconds", "From receiving an update to its replies delivered (pacing included)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))

FUNNEL = Counter("regbot_funnel_reached", "Dialogs reaching a step for the first time (consent: registrations "
                 "started or restarted); drop-off is the difference between consecutive steps", ["step"])
CANCELLED = Counter("regbot_funnel_cancelled", "Registrations given up with /cancel, by the step they were at",
                    ["step"])
REFUSALS = Counter("regbot_refusals", "Answers refused, by step (field) and reason (the first words of the "
                   "English explanation)", ["step", "reason"])
OTP_OUTCOMES = ("sent", "confirmed", "wrong", "expired", "locked", "resent")
OTP = Counter("regbot_otp", "SMS codes: sent (first submit), confirmed, wrong, expired, locked, resent", ["outcome"])
HANDOFFS = Counter("regbot_handoffs", "Citizens handed to the help desk, by reason", ["reason"])

HANDOFFS_WAITING = Gauge("regbot_handoffs_waiting", "Help-desk cases waiting for a staff member (shared Redis)")
OLDEST_WAITING_SECONDS = Gauge("regbot_handoffs_oldest_wait_seconds",
                               "How long the oldest waiting help-desk case has waited (0: none waiting)")

TELEGRAM_RESULTS = ("ok", "429", "transient", "blocked", "rejected")
TELEGRAM_CALLS = Counter("regbot_telegram_calls", "Outgoing Bot API calls by method and result: ok, 429 (flood "
                         "limit, waited out and retried), transient (network or 5xx), blocked (403), rejected, "
                         "carried (in a webhook's response, for Telegram to make; its result is never known)",
                         ["method", "result"])

for _step in StepName:  # every step shows up from the first scrape, at 0
    FUNNEL.labels(_step.value)
for _outcome in OTP_OUTCOMES:
    OTP.labels(_outcome)
for _reason in HandoffReason:
    HANDOFFS.labels(_reason.value)

Clock = Callable[[], float]
Refresh = Callable[[], Awaitable[None]]
"""Sets gauges from shared state just before a scrape (e.g. the help desk's waiting cases in Redis)."""

REFRESHERS = web.AppKey("metric_refreshers", list[Refresh])


class handling:  # a function's name to its callers: `with metrics.handling(kind):`
    """Count one update of `kind` and time it; a failure is counted and raised on. A plain class, not a
    generator-based context manager: entered once per update, where contextlib's helper, generator and two
    resumptions cost more than the counting itself (issue 18)."""

    __slots__ = ("_kind", "_started")

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._started = 0.0

    def __enter__(self) -> None:
        labelled(UPDATES, self._kind).inc()
        self._started = time.perf_counter()  # as `Histogram.time()` does, without its timer object

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: object) -> None:
        if kind is not None and issubclass(kind, Exception):
            labelled(UPDATE_FAILURES, self._kind).inc()
        HANDLING_SECONDS.observe(time.perf_counter() - self._started)


def update_failed(kind: str) -> None:
    """An update given up without raising (the citizen was told to send it again)."""
    labelled(UPDATE_FAILURES, kind).inc()


def telegram_call(method: str, result: str) -> None:
    labelled(TELEGRAM_CALLS, method, result).inc()


@cache
def labelled(metric: Counter, *values: str) -> Counter:
    """`metric.labels(*values)`, looked up once: prometheus-client builds and checks the label tuple under a lock
    on every call (about 10 µs, several times per update; issue 18). The values are few (kinds, methods, steps)."""
    return metric.labels(*values)


def handoff_gauges(waiting_since: Callable[[], Awaitable[Sequence[float]]], clock: Clock = time.time) -> Refresh:
    """A refresher for the waiting-cases gauges; Redis being down leaves them as they were (and /readyz says so)."""

    async def refresh() -> None:
        try:
            since = await waiting_since()
        except (RedisError, OSError) as error:
            log.warning("metrics: waiting help-desk cases not read: %s", type(error).__name__)
            return
        HANDOFFS_WAITING.set(len(since))
        OLDEST_WAITING_SECONDS.set(max(0.0, clock() - min(since)) if since else 0.0)

    return refresh


def mount_metrics(app: web.Application) -> None:
    """`GET /metrics` in Prometheus' text format; refreshers registered in `app[REFRESHERS]` run first."""
    app[REFRESHERS] = []
    render = make_aiohttp_handler()

    async def metrics(request: web.Request) -> web.StreamResponse:
        for refresh in request.app[REFRESHERS]:
            await refresh()
        return await render(request)

    app.router.add_get("/metrics", metrics)
