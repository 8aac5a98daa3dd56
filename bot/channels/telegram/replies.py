"""Telegram's way out: what the core answers, as Bot API calls, delivered paced and in order.

An answer becomes: the press acknowledged, the pressed question edited into
the citizen's choice (or, for a press the flow refused, its keyboard taken
away), the citizen's OTP deleted, then each reply as one message with its
buttons (two only to take away a contact keyboard still in sight); by
webhook, the press's answer (or else the deletion) rides in the HTTP
response (`webhook_reply.py`). The password step's reply carries a fresh
one-time link to the form, as a Mini App button and a browser button (https
only: without WEBAPP_URL the link is written out, for a browser on the bot's
machine).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    CallbackButton,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    InlineKeyboard,
    LinkButton,
    Markup,
    Rejected,
    RemoveKeyboard,
    Row,
    SendMessage,
    SendPhoto,
    ShowChoice,
    Transient,
    WebAppButton,
)
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.texts import OPEN_IN_BROWSER, OPEN_ON_THIS_COMPUTER, SHARE_PHONE
from bot.channels.telegram.updates import Origin, origin_of
from bot.core.answer import Answer, Rendered, SayResult
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.texts import OPEN_FORM
from bot.storage import DialogKey, DialogStore
from bot.webapp.links import PASSWORD_PAGE, PasswordLinks
from conversations.dialog import Language, StepName
from conversations.events import SharedContact
from conversations.replies import Effect
from conversations.steps import FLOW, STEPS

log = logging.getLogger(__name__)

# Where the dialog may be once the contact keyboard was shown (earlier steps are reached again only through
# /cancel or /back, and the phone question replaces the keyboard when it comes back).
FROM_THE_PHONE_STEP_ON = frozenset(step.name for step in FLOW[FLOW.index(STEPS[StepName.PHONE]):])

MAX_TEXT = 4096  # Telegram's limit on a message's text, in UTF-16 code units


class TelegramReplies:
    deletes_messages = True  # a bot may delete a private chat's messages for 48 hours

    def __init__(self, delivery: Delivery, catalogs: Catalogs, links: PasswordLinks, webapp_url: str) -> None:
        """`webapp_url`: where the password form is served (WEBAPP_URL, or this machine's HOST:PORT)."""
        self._delivery = delivery
        self._catalogs = catalogs
        self._links = links
        self._password_page = webapp_url.rstrip("/") + PASSWORD_PAGE
        self._form_in_telegram = webapp_url.startswith("https://")  # Telegram opens no other form
        if not self._form_in_telegram:
            log.warning("WEBAPP_URL is not set: Telegram opens only https:// forms, so the password step writes "
                        "the form's link (%s) into the chat, for a browser on this machine. Set WEBAPP_URL to an "
                        "https:// address that reaches it (a reverse proxy or a tunnel)", webapp_url)

    async def answer(self, incoming: Incoming, answer: Answer) -> SayResult:
        origin = origin_of(incoming)
        delivered = await self._delivery.deliver(origin.chat_id, await self.actions(incoming, answer))
        return SayResult.DELIVERED if delivered else SayResult.UNFOLLOWED

    async def notice(self, incoming: Incoming, text: str | None) -> None:
        origin = origin_of(incoming)
        actions = _acknowledge(origin)
        if text is not None:
            actions.append(SendMessage(origin.chat_id, text))
        await self._delivery.deliver(origin.chat_id, actions)

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        chat = int(key.chat)
        action: Action = SendPhoto(chat, reply.picture.data, reply.text) if reply.picture is not None else \
            SendMessage(chat, reply.text, InlineKeyboard(tuple(_rows(reply))))
        try:
            await self._delivery.call(chat, action)
        except Blocked:
            log.info("chat %s blocked the bot; a message said to it was not delivered", chat)
            await self._delivery.blocked(chat)
            return SayResult.UNFOLLOWED
        except (Rejected, Transient) as error:
            log.info("chat %s: a message said to it was not delivered: %s", chat, type(error).__name__)
            return SayResult.REFUSED
        return SayResult.DELIVERED

    async def actions(self, incoming: Incoming, answer: Answer) -> list[Action]:
        """The Bot API calls that answer `incoming`: acknowledge, tidy up, reply."""
        origin = origin_of(incoming)
        chat = origin.chat_id
        actions = _acknowledge(origin)
        if origin.keyboard_message_id is not None:
            actions.append(_tidy_keyboard(origin, origin.keyboard_message_id, answer.taken))
        if Effect.FORGET_MESSAGE in answer.effects and origin.message_id is not None:
            actions += _unless_carried(origin, DeleteMessage(chat, origin.message_id))
        contact_keyboard_in_sight = _contact_keyboard_in_sight(incoming, answer)
        contact_keyboard_left = answer.step_before in FROM_THE_PHONE_STEP_ON
        for reply in answer.replies:
            rows = _rows(reply)
            if reply.ask_password:
                reply, rows[:0] = await self._password_form(incoming.key, reply, answer.language)
            actions += self._messages(chat, reply, tuple(rows), answer.language,
                                      contact_keyboard_in_sight and not reply.ask_contact, contact_keyboard_left)
        return actions

    async def _password_form(self, key: DialogKey, reply: Rendered, language: Language) -> tuple[Rendered, list[Row]]:
        """A fresh one-time link to the password form, as a Mini App and, for older clients, a web page."""
        url = await self._links.new_url(self._password_page, key, language)
        if not self._form_in_telegram:
            written = self._catalogs.render(OPEN_ON_THIS_COMPUTER.bind(url=url), language)
            return replace(reply, paragraphs=(*reply.paragraphs, written)), []
        return reply, [(WebAppButton(self._catalogs.render(OPEN_FORM, language), url),),
                       (LinkButton(self._catalogs.render(OPEN_IN_BROWSER, language), url),)]

    def _messages(
        self, chat: int, reply: Rendered, rows: tuple[Row, ...], language: Language, drop_contact_keyboard: bool,
        contact_keyboard_left: bool,
    ) -> list[Action]:
        """One message, but where the contact keyboard is in sight and the reply has buttons: a message carries
        one keyboard, so the first paragraphs take the contact keyboard away and the question keeps its buttons.

        Once the phone step was reached (`contact_keyboard_left`), a message without buttons takes away the
        contact keyboard that may be left, hidden (pressed) or not, at no call of its own. Such a message can
        never be edited (Telegram edits only messages without reply_markup or with an inline keyboard); none is.
        """
        if rows:
            markup: Markup = InlineKeyboard(rows)
        elif reply.ask_contact:
            markup = ContactKeyboard(self._catalogs.render(SHARE_PHONE, language))
        else:
            return [SendMessage(chat, reply.text, RemoveKeyboard() if contact_keyboard_left else None)]
        if not drop_contact_keyboard:
            return [SendMessage(chat, reply.text, markup)]
        *first, question = reply.paragraphs
        return [SendMessage(chat, "\n\n".join(first) or "✓", RemoveKeyboard()), SendMessage(chat, question, markup)]


def _contact_keyboard_in_sight(incoming: Incoming, answer: Answer) -> bool:
    """Whether the citizen still sees the phone step's contact keyboard, which is one-time: pressing it (sharing
    their number) makes their app hide it, so the next question can keep its buttons in the same message; a
    number typed leaves it in sight, and it must go first. (A contact sent from the attachment menu leaves it too,
    until the next message without buttons; that is rare next to the button the question points to.)"""
    return answer.step_before is StepName.PHONE and not isinstance(incoming.event, SharedContact)


def _acknowledge(origin: Origin) -> list[Action]:
    """Answer a press, unless the webhook's response carries the answer."""
    return _unless_carried(origin, AnswerCallback(origin.callback_id)) if origin.callback_id is not None else []


def _unless_carried(origin: Origin, action: Action) -> list[Action]:
    """`action` to make, or nothing when the webhook's response carries it (`webhook_reply.py`)."""
    return [] if origin.webhook_reply is not None and origin.webhook_reply.carry(action) else [action]


def _tidy_keyboard(origin: Origin, message_id: int, taken: bool) -> Action:
    """A press the flow took turns its question into the choice; a refused one (an old button, too early for a
    new code) only loses its buttons, as the question asked again below has them."""
    if taken and origin.question and origin.pressed_label:
        shown = ShowChoice(origin.chat_id, message_id, origin.question, origin.pressed_label)
        if len(shown.text.encode("utf-16-le")) // 2 <= MAX_TEXT:
            return shown
    return ClearKeyboard(origin.chat_id, message_id)


def _rows(reply: Rendered) -> list[Row]:
    return [tuple(CallbackButton(button.label, button.id) for button in row) for row in reply.buttons]


class BlockedChats:
    """A 403: a citizen blocked the bot (their private chat is their dialog's), or it left a group."""

    def __init__(self, store: DialogStore, bot_id: int) -> None:
        self._store = store
        self._bot = str(bot_id)

    async def record(self, chat_id: int) -> None:
        if chat_id < 0:
            log.error("the bot may not post in chat %s any more (removed from the group?)", chat_id)
            return
        await self._store.mark_blocked(DialogKey(self._bot, str(chat_id), str(chat_id)))
