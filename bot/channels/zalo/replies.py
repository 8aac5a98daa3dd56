"""Zalo's way out: what the core answers, as consultation messages through the OA API.

Each reply goes out as render.py shapes it (plain text of at most 2,000
characters, 1 to 5 choices as buttons, more as a numbered list remembered
for the way in); the phone question is followed by Zalo's own
`request_user_info` form; the password step's reply carries a fresh
one-time link to the form, which Zalo's in-app browser opens without
signed launch data, so the form shows a pairing code to type back here. A
typed OTP (or pairing code) cannot be deleted from a Zalo chat as it is
from Telegram's, so the citizen is told it is single-use and expires; it is
never echoed. Nothing unprompted (a reminder, a staff member's words or
picture) is attempted outside the citizen's 7-day window, nor what a staff
command makes the assistant say (joined, resumed, closed); what is said
unprompted, and the answer to a staff command, report whether they got
there, so that staff are told why not; a
staff picture goes through Zalo's image upload (JPG or PNG, at most
`assumptions.IMAGE_MAX_BYTES`). The API's refusals are acted on, not raised: a citizen who no
longer follows the OA is recorded as having blocked the bot, a closed 7-day
window is closed here too, anything else is logged by its meaning.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels.zalo import assumptions
from bot.channels.zalo.api import MAX_TEXT, ZaloApi
from bot.channels.zalo.errors import NotFollowing, WindowClosed, ZaloApiError
from bot.channels.zalo.numbered import NumberedLists
from bot.channels.zalo.render import render
from bot.channels.zalo.texts import PASSWORD_LINK, PHONE_FORM_SUBTITLE, PHONE_FORM_TITLE
from bot.channels.zalo.window import ConsultationWindow
from bot.core.answer import Answer, Image, Rendered, SayResult
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.storage import DialogKey
from bot.webapp.links import PASSWORD_PAGE, PasswordLinks
from conversations.dialog import Language
from conversations.events import StaffAction
from conversations.replies import Effect

log = logging.getLogger(__name__)


class ZaloReplies:
    deletes_messages = False  # the OA API deletes no citizen's message: the flow says what stays and why

    def __init__(
        self, api: ZaloApi, catalogs: Catalogs, links: PasswordLinks, webapp_url: str, window: ConsultationWindow,
        numbered: NumberedLists, blocked: Callable[[DialogKey], Awaitable[None]],
        default_language: Language = "vi",
    ) -> None:
        """`webapp_url`: where the password form is served; `blocked`: records a citizen who left the OA."""
        self._api = api
        self._catalogs = catalogs
        self._links = links
        self._password_page = webapp_url.rstrip("/") + PASSWORD_PAGE
        self._window = window
        self._numbered = numbered
        self._blocked = blocked
        self._default_language = default_language

    async def answer(self, incoming: Incoming, answer: Answer) -> SayResult:
        key, language = incoming.key, answer.language
        if isinstance(incoming.event, StaffAction) and answer.replies and not await self._window.is_open(key):
            log.info("Zalo: a staff action's message to a citizen not sent, the 7-day window is closed")
            return SayResult.WINDOW_CLOSED  # what staff do is no interaction of the citizen's: Zalo would refuse it
        said = SayResult.DELIVERED
        try:
            numbered: tuple[str, ...] = ()
            for reply in answer.replies:
                numbered = await self._send(key, reply, language)
        except ZaloApiError as error:
            said = await self._refused(key, error)
        else:
            if answer.replies:
                await self._numbered.asked(key, numbered)
        if Effect.ERASE in answer.effects:  # /delete: once its confirmation went out, which needs the window
            await self._numbered.asked(key, ())
            await self._window.forget(key)
        return said

    async def notice(self, incoming: Incoming, text: str | None) -> None:
        if text is not None:
            await self._text(incoming.key, text)

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        """Unprompted (a reminder, a staff member's words or picture): only within the 7-day window, outside
        which Zalo refuses it; whether it got there, and if not why."""
        if not await self._window.is_open(key):
            log.info("Zalo: a message to a citizen not sent, the 7-day window is closed")
            return SayResult.WINDOW_CLOSED
        if reply.picture is not None and (unfit := _unfit(reply.picture)) is not None:
            return unfit
        try:
            numbered = await self._send(key, reply, self._default_language)
        except ZaloApiError as error:
            return await self._refused(key, error)
        await self._numbered.asked(key, numbered)
        return SayResult.DELIVERED

    async def _send(self, key: DialogKey, reply: Rendered, language: Language) -> tuple[str, ...]:
        """Send one reply; the button ids its numbered list stands for, if it ends with one."""
        if reply.ask_password:
            url = await self._links.new_url(self._password_page, key, language)
            written = self._catalogs.render(PASSWORD_LINK.bind(url=url), language)
            reply = Rendered((*reply.paragraphs, written), reply.buttons)
        if reply.picture is not None:  # the words as its caption when they fit in one message
            caption = reply.text if len(reply.text) <= MAX_TEXT else ""
            await self._api.send_image(key.user, reply.picture.data, reply.picture.content_type, caption)
            if caption or not reply.paragraphs:
                return ()
        shaped = render(reply)
        for message in shaped.messages:
            if message.buttons:
                await self._api.send_buttons(key.user, message.text, message.buttons)
            else:
                await self._api.send_text(key.user, message.text)
        if reply.ask_contact:
            await self._api.request_user_info(
                key.user, self._catalogs.render(PHONE_FORM_TITLE, language),
                self._catalogs.render(PHONE_FORM_SUBTITLE, language), assumptions.REQUEST_INFO_IMAGE)
        return shaped.numbered

    async def _text(self, key: DialogKey, text: str) -> None:
        try:
            for message in render(Rendered((text,))).messages:
                await self._api.send_text(key.user, message.text)
        except ZaloApiError as error:
            await self._refused(key, error)

    async def _refused(self, key: DialogKey, error: ZaloApiError) -> SayResult:
        """Act on what a refusal means, and name it for staff; its description is Zalo's, never the citizen's
        words."""
        if isinstance(error, NotFollowing):
            log.info("Zalo: a citizen no longer follows the OA (%s); recorded as blocked", error.code)
            await self._blocked(key)
            return SayResult.INACTIVE if error.code == INACTIVE else SayResult.UNFOLLOWED
        if isinstance(error, WindowClosed):
            log.info("Zalo: the 7-day window of a citizen is closed (%s)", error.code)
            await self._window.closed(key)
            return SayResult.WINDOW_CLOSED
        log.error("Zalo: a message was not sent: %s (%s)", error.meaning, error.code)
        return SayResult.REFUSED


INACTIVE = -227  # banned, or inactive for more than 45 days: told to staff apart from an unfollow (-213)


def _unfit(picture: Image) -> SayResult | None:
    """Why Zalo's upload would refuse the picture, before it is tried."""
    if picture.content_type not in ("image/jpeg", "image/png"):
        return SayResult.PICTURE_TYPE
    if len(picture.data) > assumptions.IMAGE_MAX_BYTES:
        return SayResult.PICTURE_TOO_LARGE
    return None
