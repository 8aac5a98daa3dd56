"""`regbot`: the command line (run, console, portal, audit)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging

from bot.app import eventloop
from bot.app.compose import console_session
from bot.app.runtime import connected, running
from bot.app.settings import Settings
from bot.helpdesk.audit import AuditLog
from bot.ops.logs import setup_logging
from bot.ops.web import bind, public_url, serving
from bot.portal.sandbox import print_sms, serve_sandbox


async def console(settings: Settings, user: str) -> None:
    async with running(settings, on_sms=print_sms) as runtime:
        sock = bind(settings.host, settings.port, any_port_if_taken=True)
        session = console_session(runtime, user, public_url(settings.webapp_url, sock.getsockname()[1]))
        async with serving(session.app, settings.host, settings.port, sock=sock):
            await session.console.run()


async def audit(settings: Settings, case: str | None) -> None:
    """Print the help desk's audit trail (one case, or all) from the configured Redis."""
    async with connected(settings) as redis:
        for entry in await AuditLog(redis).entries(case):
            print(entry.line())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="regbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("console", help="register in the terminal (the password form on HOST:PORT)")
    chat.add_argument("--user", default=getpass.getuser(), help="whose dialog to continue (default: you)")
    run = commands.add_parser("run", help="the bot in Telegram (long polling; --webhook behind a webhook)")
    run.add_argument("--webhook", action="store_true", help="serve Telegram webhooks at WEBHOOK_URL")
    portal = commands.add_parser("portal", help="serve the sandbox portal API")
    portal.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    portal.add_argument("--port", type=int, default=8090)
    trail = commands.add_parser("audit", help="print the help desk's audit trail")
    trail.add_argument("--case", help="only this case (the number in its topic's name)")
    arguments = parser.parse_args(argv)

    settings = Settings()
    setup_logging(settings.log_level if arguments.command != "console" else "WARNING", settings.log_format)
    if arguments.command == "console":
        with contextlib.suppress(KeyboardInterrupt):
            eventloop.run(console(settings, arguments.user))
    elif arguments.command == "run":
        from bot.app.serve import run_bot  # imports a Telegram framework: seconds the console need not wait

        with contextlib.suppress(KeyboardInterrupt):
            eventloop.run(run_bot(settings, arguments.webhook))
    elif arguments.command == "audit":
        eventloop.run(audit(settings, arguments.case and arguments.case.lstrip("#")))
    elif arguments.command == "portal":
        key = settings.portal_api_key.get_secret_value() if settings.portal_api_key else None
        serve_sandbox(arguments.host, arguments.port, key)
    logging.shutdown()
