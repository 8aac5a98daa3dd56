"""From a Telegram update to delivered replies: the part both framework adapters share.

Per update: read it; take the chat's turn in this process (so a burst of
updates is answered in the order it came); hand the event to the
assistant, which locks the dialog in Redis and skips an update_id it has
handled before; turn the replies into Bot API calls; deliver them paced
and retried. The password form and help-desk staff enter through `handle`
too (with no update_id). With a help desk configured, it sees each citizen
event before and after the assistant, and every update from the staff
group. First of all, a citizen's update counts against their message rate
(`message_rate.py`), before the chat's turn and the dialog's lock.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis

from bot.assistant import Assistant, Handled, Rendered
from bot.i18n import Catalogs
from bot.keyed_lock import KeyedLock
from bot.storage import AlreadyHandled, DialogKey, DialogStore
from bot.telegram.actions import (
    Action,
    AnswerCallback,
    CallbackButton,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    InlineKeyboard,
    LinkButton,
    Markup,
    RemoveKeyboard,
    Result,
    Row,
    SendMessage,
    WebAppButton,
)
from bot.telegram.delivery import Delivery
from bot.telegram.texts import OPEN_FORM, OPEN_IN_BROWSER, SHARE_PHONE
from bot.telegram.updates import Incoming, read_update
from bot.webapp.links import PASSWORD_PAGE, PasswordLinks
from conversations.dialog import Language, StepName
from conversations.replies import Effect

if TYPE_CHECKING:
    from bot.helpdesk.desk import HelpDesk
    from bot.telegram.message_rate import MessageRate

log = logging.getLogger(__name__)


class TelegramFront:
    def __init__(
        self, assistant: Assistant, catalogs: Catalogs, redis: Redis, bot_id: int, webapp_url: str,
    ) -> None:
        self._assistant = assistant
        self._catalogs = catalogs
        self._redis = redis
        self._bot_id = bot_id
        self._turns = KeyedLock()
        self._links = PasswordLinks(redis)
        self._password_page = webapp_url.rstrip("/") + PASSWORD_PAGE
        self.delivery: Delivery | None = None  # set once the adapter's client exists (bot/serve.py)
        self.desk: HelpDesk | None = None  # set when STAFF_CHAT_ID is (bot/serve.py)
        self.rate: MessageRate | None = None  # set when MESSAGE_RATE_LIMIT is (bot/serve.py)

    @property
    def blocked_key(self) -> str:
        return f"regbot:blocked:{self._bot_id}"

    async def on_update(self, update: Any) -> None:
        incoming = read_update(update)
        if incoming is not None:
            if self.rate is None or await self.rate.admits(incoming):
                await self.handle(incoming)
        elif self.desk is not None:
            await self.desk.on_update(update)

    @property
    def store(self) -> DialogStore:
        return self._assistant.store

    def dialog_key(self, chat_id: int, user_id: int) -> DialogKey:
        return DialogKey(str(self._bot_id), str(chat_id), str(user_id))

    async def handle(self, incoming: Incoming) -> Handled | None:
        """Handle and answer one event; None when it was handled before (a re-delivered update)."""
        assert self.delivery is not None, "the adapter sets the delivery before feeding updates"
        key = self.dialog_key(incoming.chat_id, incoming.user_id)
        event_id = None if incoming.update_id is None else str(incoming.update_id)
        async with self._turns(incoming.chat_id):
            if self.desk is not None:
                incoming = await self.desk.translate(incoming)
            try:
                handled = await self._assistant.handle(key, incoming.event, incoming.language, event_id)
            except AlreadyHandled:
                log.info("update %s handled before; skipped", incoming.update_id)
                return None
            await self.delivery.deliver(incoming.chat_id, await self.actions(key, incoming, handled))
            if self.desk is not None:
                await self.desk.after(incoming, handled)
        return handled

    async def send(self, chat_id: int, action: Action) -> Result:
        """One call into a citizen's chat, in turn with the assistant's replies there."""
        async with self._turns(chat_id):
            return await self.delivery_call(chat_id, action)

    async def delivery_call(self, chat_id: int, action: Action) -> Result:
        assert self.delivery is not None
        return await self.delivery.call(chat_id, action)

    async def record_blocked(self, chat_id: int) -> None:
        await self._redis.hset(self.blocked_key, str(chat_id), int(time.time()))

    async def actions(self, key: DialogKey, incoming: Incoming, handled: Handled) -> list[Action]:
        """The Bot API calls that answer `incoming`: acknowledge, tidy up, reply."""
        chat = incoming.chat_id
        actions: list[Action] = []
        if incoming.callback_id is not None:
            actions.append(AnswerCallback(incoming.callback_id))
        if incoming.keyboard_message_id is not None:
            actions.append(ClearKeyboard(chat, incoming.keyboard_message_id))
        if Effect.FORGET_MESSAGE in handled.effects and incoming.message_id is not None:
            actions.append(DeleteMessage(chat, incoming.message_id))
        leaving_phone = handled.step_before is StepName.PHONE
        for reply in handled.replies:
            rows: list[Row] = [tuple(CallbackButton(b.label, b.id) for b in row) for row in reply.buttons]
            if reply.ask_password:
                rows[:0] = await self._password_buttons(key, handled.dialog.language)
            actions += self._messages(chat, reply, tuple(rows), handled, leaving_phone and not reply.ask_contact)
        return actions

    async def _password_buttons(self, key: DialogKey, language: Language) -> list[Row]:
        """A fresh one-time link to the password form, as a Mini App and, for older clients, a web page."""
        url = await self._links.new_url(self._password_page, key, language)
        return [(WebAppButton(self._catalogs.render(OPEN_FORM, language), url),),
                (LinkButton(self._catalogs.render(OPEN_IN_BROWSER, language), url),)]

    def _messages(
        self, chat: int, reply: Rendered, rows: tuple[Row, ...], handled: Handled, drop_contact_keyboard: bool,
    ) -> list[Action]:
        markup: Markup = None
        if rows:
            markup = InlineKeyboard(rows)
        elif reply.ask_contact:
            markup = ContactKeyboard(self._catalogs.render(SHARE_PHONE, handled.dialog.language))
        if not drop_contact_keyboard:
            return [SendMessage(chat, reply.text, markup)]
        if markup is None:
            return [SendMessage(chat, reply.text, RemoveKeyboard())]
        # A message carries one keyboard: the first paragraphs take the contact keyboard away,
        # the question keeps its buttons.
        *first, question = reply.paragraphs
        return [SendMessage(chat, "\n\n".join(first) or "✓", RemoveKeyboard()), SendMessage(chat, question, markup)]
