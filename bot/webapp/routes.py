"""The password form's HTTP side: serve the page, take one submission, relay it, forget it.

Only the right citizen, once, within minutes: the link's nonce must be
live; launch data, when the page runs inside Telegram, must carry
Telegram's signature for this bot, be under an hour old and name the
citizen the link was made for; without launch data (a browser, a channel
that has none) the page must first be paired: it shows a one-time code,
keeps the password, and resubmits it until the citizen has sent that code
in the chat (conversations/pairing.py); the dialog must be waiting for a
password. The password is checked (rule, confirmation, guessability)
before the nonce is spent, so a typo costs nothing; then the nonce is
consumed atomically and the password goes through the same locked path as
a Telegram event to the portal. It is never stored, logged or echoed.
Failed submissions count against limits per address, per link and per user
(bot/webapp/attempts.py); an accepted one is given back.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from bot.core.answer import Handled
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.storage import DialogStore, load_readable
from bot.webapp.attempts import Attempts
from bot.webapp.init_data import InvalidInitData, verify_init_data
from bot.webapp.links import PASSWORD_PAGE, Link, PasswordLinks
from bot.webapp.page import PAGE_TEXTS, render_password_page
from conversations.dialog import LANGUAGES, Dialog, Language, StepName
from conversations.engine import NOT_WAITING_FOR_PASSWORD
from conversations.events import LinkRevoked, PairingStarted, PasswordChosen
from conversations.pairing import CODE_ALPHABET, CODE_LENGTH, PAIRING_TTL, digest, shown
from conversations.steps.password import password_check
from conversations.text import Text, _

log = logging.getLogger(__name__)

LINK_GONE = _("This link has expired or has already been used. Press \"Send me a new link\" in the chat.")
NOT_YOURS = _("This form belongs to another Telegram account, so it has been cancelled and its owner told. If it "
              "is yours, open the new link in your own chat with the bot.")
BAD_LAUNCH = _("Telegram's sign-in data for this form is not valid or is too old. Please open the link from the "
               "chat again.")
TOO_MANY = _("Too many attempts. Please wait a few minutes and try again.")
SEND_THE_CODE = _("To make sure it is you, send this code in your chat with the bot, from your own account, "
                  "within 5 minutes. Keep this page open: your password is set as soon as the code arrives.")
ACCOUNT_READY = _("Your password is set and your account is ready. You can close this window.")
NOT_SET_NOW = _("Your password could not be set just now, and nothing was changed; your answers are kept. In a "
                "minute, press \"Send me a new link\" in the chat and try again.")

MAX_BODY = 4096


Relay = Callable[[Incoming], Awaitable[Handled | None]]
"""Hands the password to the dialog through its usual locked path (`Switchboard.handle`), which tells the
citizen on their channel; None: not handled."""


class PasswordForm:
    def __init__(
        self, relay: Relay, store: DialogStore, links: PasswordLinks, redis: Redis, catalogs: Catalogs,
        bot_token: str | None, clock: Callable[[], datetime],
    ) -> None:
        """`bot_token`: to check Telegram's launch data; None outside Telegram (the console), where only the
        link's nonce is accepted."""
        self._relay = relay
        self._links = links
        self._store = store
        self._catalogs = catalogs
        self._bot_token = bot_token
        self._clock = clock
        self._attempts = Attempts(redis)

    def mount(self, app: web.Application) -> None:
        app.router.add_get(PASSWORD_PAGE, self.page)
        app.router.add_post(PASSWORD_PAGE, self.submit)

    async def page(self, request: web.Request) -> web.Response:
        link = await self._links.peek(request.query.get("n", ""))
        asked = request.query.get("lang")
        language: Language = asked if asked in LANGUAGES else link.language if link else "vi"
        nonce = secrets.token_urlsafe(16)
        texts = {name: self._catalogs.render(text, language) for name, text in PAGE_TEXTS.items()}
        return web.Response(text=render_password_page(texts, language, nonce), content_type="text/html",
                            headers=_security_headers(nonce))

    async def submit(self, request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_BODY:
            return _answer(413, {"ok": False, "message": "Request too large"})
        try:
            body = await request.json()
            nonce, init_data = str(body["nonce"]), str(body.get("init_data") or "")
            password, confirmation = str(body["password"]), str(body["confirmation"])
        except (ValueError, KeyError, TypeError):
            return _answer(400, {"ok": False, "message": "Malformed request"})
        submission = self._attempts.submission()
        if not await submission.within("ip", request.remote or "unknown"):
            return self._refuse(429, TOO_MANY, "vi")
        link = await self._links.peek(nonce)
        if link is None:
            return self._refuse(410, LINK_GONE, "vi")
        if not await submission.within("link", self._links.name(nonce)):
            return self._refuse(429, TOO_MANY, link.language)
        if init_data:
            refusal = self._launched_by_owner(init_data, link)
            if refusal is NOT_YOURS:
                await self._revoke(nonce, link)
            if refusal is not None:
                return self._refuse(403, refusal, link.language)
        if not await submission.within("user", link.dialog.user):
            return self._refuse(429, TOO_MANY, link.language)
        dialog = await load_readable(self._store, link.dialog)
        if dialog is None or dialog.step is not StepName.PASSWORD:
            return self._refuse(409, NOT_WAITING_FOR_PASSWORD, link.language)
        problems = password_check(dialog, password, confirmation)
        if problems:
            shown = [self._catalogs.render(problem, link.language) for problem in problems]
            return _answer(422, {"ok": False, "problems": shown})
        if not init_data:  # a browser, or a channel without launch data: the code must come back in the chat
            waiting = await self._unpaired(link, nonce, dialog)
            if waiting is not None:
                await submission.accepted()  # not a failure: the page waits for the citizen
                return waiting
        if await self._links.consume(nonce) is None:  # another submission got there first
            return self._refuse(410, LINK_GONE, link.language)
        await submission.accepted()
        handled = await self._relay(Incoming(link.dialog, PasswordChosen(password, confirmation), link.language))
        if handled is None:  # the store failed, or staff hold the conversation: the link is spent, nothing else
            return self._refuse(503, NOT_SET_NOW, link.language)
        if handled.dialog.step is StepName.DONE:
            return _answer(200, {"ok": True, "message": self._catalogs.render(ACCOUNT_READY, link.language)})
        reply = handled.replies[0].paragraphs[0] if handled.replies else ""
        return _answer(409, {"ok": False, "message": reply})

    async def _unpaired(self, link: Link, nonce: str, dialog: Dialog) -> web.Response | None:
        """None once the citizen has sent this page's code in the chat; until then the page waits (202), with a
        new code when it has none or its code ran out. The password stays in the browser meanwhile."""
        name, pairing, now = self._links.name(nonce), dialog.pairing, self._clock()
        if pairing is not None and pairing.link == name:
            if pairing.confirmed:
                return None
            if now < pairing.until:
                return _answer(202, {"ok": False, "waiting": True})
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        started = PairingStarted(name, digest(name, code), now + PAIRING_TTL)
        handled = await self._relay(Incoming(link.dialog, started, link.language))
        if handled is None or handled.dialog.pairing is None:
            return self._refuse(409, NOT_WAITING_FOR_PASSWORD, link.language)
        message = self._catalogs.render(SEND_THE_CODE, link.language)
        return _answer(202, {"ok": False, "waiting": True, "code": shown(code), "message": message})

    async def _revoke(self, nonce: str, link: Link) -> None:
        """Someone else's Telegram account opened the link (a forwarded message, a leaked URL): it dies, and the
        citizen is told in the chat and given a new one."""
        if await self._links.consume(nonce) is not None:
            await self._relay(Incoming(link.dialog, LinkRevoked(), link.language))

    def _launched_by_owner(self, init_data: str, link: Link) -> Text | None:
        if self._bot_token is None:
            return BAD_LAUNCH
        try:
            user = verify_init_data(init_data, self._bot_token, self._clock())
        except InvalidInitData as error:
            log.warning("password form: launch data refused: %s", error)
            return BAD_LAUNCH
        if str(user.id) != link.dialog.user:
            log.warning("password form: opened by another Telegram user")
            return NOT_YOURS
        return None

    def _refuse(self, status: int, reason: Text, language: Language) -> web.Response:
        return _answer(status, {"ok": False, "message": self._catalogs.render(reason, language)})


def _answer(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


def _security_headers(nonce: str) -> dict[str, str]:
    policy = (
        f"default-src 'none'; script-src 'nonce-{nonce}' https://telegram.org; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors https://web.telegram.org https://webk.telegram.org https://webz.telegram.org"
    )
    return {
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
