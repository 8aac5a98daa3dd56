"""Run the sandbox portal: in-process for the console and tests, or as `regbot portal`.

`start_sandbox` binds (port 0 = any free port) and answers the real base
URL; `run_sandbox`/`serve_sandbox` keep it up and print each SMS, because
reading the code from the terminal is how a tester completes a
registration. Phones are masked in what is printed; the code is not. The
access log leaves out query strings, where a phone number could sit.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from bot.portal.sandbox_http import create_sandbox_app
from bot.portal.sandbox_state import RandomSource, SmsMessage
from conversations.fields import mask_phone

log = logging.getLogger(__name__)


class PathOnlyAccessLogger(AbstractAccessLogger):
    """One line per request without the query string or any header."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info("%s %s -> %s (%.3f s)", request.method, request.path, response.status, time)


def sms_line(sms: SmsMessage) -> str:
    return f"[SMS to {mask_phone(sms.phone)}] {sms.text}"


def print_sms(sms: SmsMessage) -> None:
    """How an in-process sandbox shows its SMS: on the operator's terminal, code visible, phone masked."""
    print(f"\n📩 {sms_line(sms)}", flush=True)


def _base_url(host: str, port: int) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"http://{host}:{port}"
    if address.is_unspecified:  # bound to every interface: loopback reaches it
        address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
    return f"http://[{address}]:{port}" if address.version == 6 else f"http://{address}:{port}"


async def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    clock: Callable[[], datetime] | None = None,
    on_sms: Callable[[SmsMessage], None] | None = None,
    api_key: str | None = None,
    rng: RandomSource = secrets,
) -> tuple[web.AppRunner, str]:
    """Serve the sandbox in this event loop; the caller owns `runner.cleanup()`."""
    app = create_sandbox_app(clock=clock, on_sms=on_sms, api_key=api_key, rng=rng)
    runner = web.AppRunner(app, access_log_class=PathOnlyAccessLogger, access_log=log.getChild("access"))
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
    except BaseException:
        await runner.cleanup()
        raise
    return runner, _base_url(str(bound_host), int(bound_port))


async def run_sandbox(
    host: str,
    port: int,
    api_key: str | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    out: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    """Serve until cancelled, writing each SMS (and the address) through `out`."""
    runner, url = await start_sandbox(
        host, port, clock=clock, api_key=api_key, on_sms=lambda sms: out(sms_line(sms)))
    try:
        out(f"Sandbox portal listening on {url} (API under {url}/api/v1"
            + (", Bearer key required)" if api_key else ")"))
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def serve_sandbox(host: str, port: int, api_key: str | None) -> None:
    """Block serving the sandbox portal until Ctrl-C (`regbot portal`)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_sandbox(host, port, api_key))
