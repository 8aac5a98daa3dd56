"""The sandbox portal, in one import: the app factory, its state, and the ways to run it.

dichvucong.gov.vn has no test environment, so `regbot portal`, the console
and the tests talk to this stand-in, which serves the same contract as the
real portal adapter expects (`docs/portal-openapi.json`). The parts live in
`sandbox_state` (rules), `sandbox_http` (routes) and `server` (running).
"""

from __future__ import annotations

from bot.portal.sandbox_http import SANDBOX, create_sandbox_app
from bot.portal.sandbox_state import RandomSource, SandboxPortal, SmsMessage
from bot.portal.server import print_sms, run_sandbox, serve_sandbox, sms_line, start_sandbox

__all__ = [
    "SANDBOX",
    "RandomSource",
    "SandboxPortal",
    "SmsMessage",
    "create_sandbox_app",
    "print_sms",
    "run_sandbox",
    "serve_sandbox",
    "sms_line",
    "start_sandbox",
]
