"""From a Telegram update to delivered replies: the part both framework adapters share.

Per update: read it; take the chat's turn in this process (so a burst of
updates is answered in the order it came); hand the event to the
assistant, which locks the dialog in Redis and skips an update_id it has
handled before; turn the replies into Bot API calls; deliver them paced
and retried. Staff and the Web App will enter through `handle` too.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.asyncio import Redis

from bot.assistant import Assistant, Handled, Rendered
from bot.i18n import Catalogs
from bot.keyed_lock import KeyedLock
from bot.storage import AlreadyHandled, DialogKey
from bot.telegram.actions import (
    Action,
    AnswerCallback,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    InlineKeyboard,
    Markup,
    RemoveKeyboard,
    SendMessage,
)
from bot.telegram.delivery import Delivery
from bot.telegram.texts import SHARE_PHONE
from bot.telegram.updates import Incoming, read_update
from conversations.dialog import StepName
from conversations.replies import Effect

log = logging.getLogger(__name__)


class TelegramFront:
    def __init__(self, assistant: Assistant, catalogs: Catalogs, redis: Redis, bot_id: int) -> None:
        self._assistant = assistant
        self._catalogs = catalogs
        self._redis = redis
        self._bot_id = bot_id
        self._turns = KeyedLock()
        self.delivery: Delivery | None = None  # set by the adapter once its client exists

    @property
    def blocked_key(self) -> str:
        return f"regbot:blocked:{self._bot_id}"

    async def on_update(self, update: Any) -> None:
        incoming = read_update(update)
        if incoming is not None:
            await self.handle(incoming)

    async def handle(self, incoming: Incoming) -> None:
        assert self.delivery is not None, "the adapter sets the delivery before feeding updates"
        key = DialogKey(str(self._bot_id), str(incoming.chat_id), str(incoming.user_id))
        async with self._turns(incoming.chat_id):
            try:
                handled = await self._assistant.handle(
                    key, incoming.event, incoming.language, event_id=str(incoming.update_id))
            except AlreadyHandled:
                log.info("update %s handled before; skipped", incoming.update_id)
                return
            await self.delivery.deliver(incoming.chat_id, self.actions(incoming, handled))

    async def record_blocked(self, chat_id: int) -> None:
        await self._redis.hset(self.blocked_key, str(chat_id), int(time.time()))

    def actions(self, incoming: Incoming, handled: Handled) -> list[Action]:
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
            actions += self._messages(chat, reply, handled, leaving_phone and not reply.ask_contact)
        return actions

    def _messages(self, chat: int, reply: Rendered, handled: Handled, drop_contact_keyboard: bool) -> list[Action]:
        markup: Markup = None
        if reply.buttons:
            markup = InlineKeyboard(tuple(tuple((b.label, b.id) for b in row) for row in reply.buttons))
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
