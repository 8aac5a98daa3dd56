"""From a Telegram update to delivered replies: the part both framework adapters share.

Per update: read it; take the chat's turn in this process (so a burst of
updates is answered in the order it came); hand the event to the
assistant, which locks the dialog in Redis and skips an update_id it has
handled before; turn the replies into Bot API calls; deliver them paced
and retried. The password form and help-desk staff enter through `handle`
too (with no update_id). With a help desk configured, it sees each citizen
event before and after the assistant, and every update from the staff
group. A citizen's update counts against their message rate in the round
trip that locks its dialog (`message_rate.py`); one over the limit is
dropped there, unread.

When Redis cannot be reached (or the dialog stays locked), the citizen is
told at once, in their Telegram language, that their progress is kept and
to send again; nothing was changed, so nothing is lost, and the next
message after Redis is back carries on where they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    CallbackButton,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    DownloadFile,
    InlineKeyboard,
    LinkButton,
    Markup,
    Rejected,
    RemoveKeyboard,
    Result,
    Row,
    SendMessage,
    Transient,
    WebAppButton,
)
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.polling import Poller, UpdateSource
from bot.channels.telegram.texts import (
    OPEN_FORM,
    OPEN_IN_BROWSER,
    OPEN_ON_THIS_COMPUTER,
    SHARE_PHONE,
    STORE_UNAVAILABLE,
)
from bot.channels.telegram.updates import Incoming, read_update
from bot.core.assistant import Answer, Assistant, Handled, Rendered, TurnedAway
from bot.core.i18n import Catalogs
from bot.core.inflight import InFlight
from bot.core.keyed_lock import KeyedLock
from bot.idcard.card_photos import NotFetched, read_picture
from bot.ops import metrics
from bot.storage import AlreadyHandled, DialogBusy, DialogKey, DialogStore, LockLost, UnreadableDialog
from bot.storage.sealing import Sealer
from bot.webapp.links import PASSWORD_PAGE, PasswordLinks
from conversations.dialog import Language, StepName
from conversations.events import Command, Picture, Pressed, Said, SharedContact, Unsupported
from conversations.reminder import reminder
from conversations.replies import Effect

if TYPE_CHECKING:
    from bot.core.message_rate import MessageRate
    from bot.helpdesk.desk import HelpDesk

log = logging.getLogger(__name__)

# The dialog could not be read or saved: nothing about it changed, so the citizen may simply send again.
STORE_FAILURES = (RedisError, DialogBusy, LockLost)


class TelegramFront:
    def __init__(
        self, assistant: Assistant, catalogs: Catalogs, redis: Redis, bot_id: int, webapp_url: str, inbox: Sealer,
    ) -> None:
        """`inbox` seals the updates that polling keeps in Redis while they are handled."""
        self._assistant = assistant
        self._catalogs = catalogs
        self._redis = redis
        self._bot_id = bot_id
        self._turns = KeyedLock()
        self._links = PasswordLinks(redis)
        self._password_page = webapp_url.rstrip("/") + PASSWORD_PAGE
        self._form_in_telegram = webapp_url.startswith("https://")  # Telegram opens no other form
        if not self._form_in_telegram:
            log.warning("WEBAPP_URL is not set: Telegram opens only https:// forms, so the password step writes "
                        "the form's link (%s) into the chat, for a browser on this machine. Set WEBAPP_URL to an "
                        "https:// address that reaches it (a reverse proxy or a tunnel)", webapp_url)
        self.delivery: Delivery | None = None  # set once the adapter's client exists (bot/app/serve.py)
        self.desk: HelpDesk | None = None  # set when STAFF_CHAT_ID is (bot/app/serve.py)
        self.rate: MessageRate | None = None  # set when MESSAGE_RATE_LIMIT is (bot/app/serve.py)
        self.in_flight = InFlight()  # what a graceful shutdown waits for
        self._inbox = inbox
        self._poller: Poller | None = None  # while `poll` runs

    @property
    def bot_id(self) -> int:
        return self._bot_id

    async def on_update(self, update: Any) -> None:
        """Handle and answer one update (a webhook's request is answered after its replies went out:
        answering at the save let a second worker's reply to the next update overtake them)."""
        incoming = read_update(update)
        with self.in_flight.track(), metrics.handling(self._kind(incoming)):
            if incoming is not None:
                await self.handle(self._readable(incoming), rated=True)
            elif self.desk is not None:
                await self.desk.on_update(update)

    def _readable(self, incoming: Incoming) -> Incoming:
        """A photo or image file as a `Picture` the ID step can read: fetched only if a step reads it."""
        file = incoming.picture
        if file is None:
            return incoming
        fetch = partial(self._download, incoming.chat_id, file.file_id)
        return replace(incoming, event=Picture(file.kind, partial(read_picture, fetch, file.size)))

    def _kind(self, incoming: Incoming | None) -> str:
        """The update's kind, for `regbot_updates_total`."""
        match incoming:
            case None:
                return "ignored" if self.desk is None else "desk"
            case Incoming(event=Said()):
                return "text"
            case Incoming(event=Command()):
                return "command"
            case Incoming(event=Pressed()):
                return "press"
            case Incoming(event=SharedContact()):
                return "contact"
            case Incoming(event=Unsupported(kind=kind)) | Incoming(event=Picture(kind=kind)):
                return kind
        return "other"

    async def poll(self, source: UpdateSource, parse: Callable[[dict[str, Any]], Any]) -> None:
        """Long-poll `source` until `stop_polling`; each update is kept in Redis until it is handled."""
        self._poller = Poller(source, lambda data: self.on_update(parse(data)), self._redis, self._inbox, self._bot_id)
        await self._poller.run()

    def stop_polling(self) -> None:
        """Fetch no more updates; `poll` returns once those in hand are done (or cancelled by the drain)."""
        if self._poller is not None:
            self._poller.stop()

    @property
    def store(self) -> DialogStore:
        return self._assistant.store

    def dialog_key(self, chat_id: int, user_id: int) -> DialogKey:
        return DialogKey(str(self._bot_id), str(chat_id), str(user_id))

    async def handle(self, incoming: Incoming, rated: bool = False) -> Handled | None:
        """Handle and answer one event; None when it was handled before (a re-delivered update; its kept
        answer, if it may not have gone out, is sent now), or when `rated` (a citizen's update) and its
        sender is over their message rate.
        """
        assert self.delivery is not None, "the adapter sets the delivery before feeding updates"
        key = self.dialog_key(incoming.chat_id, incoming.user_id)
        event_id = None if incoming.update_id is None else str(incoming.update_id)
        gate = self.rate.gate(incoming) if rated and self.rate is not None else None
        async with self._turns(incoming.chat_id):
            again = False
            try:
                if self.desk is not None:
                    incoming = await self.desk.translate(incoming)
                try:
                    handled = await self._assistant.handle(key, incoming.event, incoming.language, event_id, gate,
                                                           keep_answer=self._poller is not None)
                except AlreadyHandled as before:
                    unsent = await self._unsent(key, incoming, before.answer)
                    if unsent is None:
                        log.info("update %s handled before; skipped", incoming.update_id)
                        if self.desk is not None:
                            await self.desk.redelivered(incoming)
                        return None
                    handled, again = unsent, True
                actions = await self.actions(key, incoming, handled.answer)
            except TurnedAway:
                return None
            except STORE_FAILURES as error:
                log.error("update %s not handled, the dialog store failed: %s", incoming.update_id,
                          type(error).__name__)
                metrics.update_failed(self._kind(incoming))
                await self.delivery.deliver(incoming.chat_id, self._unavailable(incoming))
                return None
            await self.delivery.deliver(incoming.chat_id, actions)
            if self.desk is not None:
                await self.desk.after(incoming, handled)  # not done either, if the answer was not sent
        return None if again else handled

    async def _unsent(self, key: DialogKey, incoming: Incoming, kept: bytes | None) -> Handled | None:
        """What an update handled before still needs: its answer, kept in case its worker died before
        sending it. Only polling keeps answers: there an update handled before is one the previous run
        left in the inbox, unfinished. A webhook's update comes again for reasons that say nothing of
        whether its answer went out (a call past 60 s, a worker still sending), so it is not answered
        twice on a guess."""
        if kept is None:
            return None
        try:
            answer = Answer.load(kept)
        except ValidationError as error:  # its text (the citizen's details, perhaps) stays out of the log
            log.error("update %s: its kept answer is unreadable (%d errors); not sent", incoming.update_id,
                      error.error_count())
            return None
        try:
            dialog = await self.store.load(key)
        except UnreadableDialog:
            dialog = None
        if dialog is None:
            return None
        log.warning("update %s handled before, its answer perhaps unsent; sending it", incoming.update_id)
        return Handled(answer.replies, answer.effects, dialog, answer.step_before, stored=True)

    def _unavailable(self, incoming: Incoming) -> list[Action]:
        """"Try again in a minute", in the language Telegram reports for the citizen (their dialog is unreadable)."""
        language = incoming.language or self._assistant.default_language
        text = self._catalogs.render(STORE_UNAVAILABLE, language)
        answer = [AnswerCallback(incoming.callback_id)] if incoming.callback_id is not None else []
        return [*answer, SendMessage(incoming.chat_id, text)]

    async def remind(self, key: DialogKey) -> bool:
        """Nudge the citizen of an idle dialog, if it is one worth a nudge (`conversations.reminder`)."""
        dialog = await self.store.load(key)
        reply = reminder(dialog) if dialog is not None else None
        if dialog is None or reply is None:
            return False
        rendered = self._assistant.render(reply, dialog.language)
        chat = int(key.chat)
        await self.send(chat, SendMessage(chat, rendered.text, InlineKeyboard(tuple(_rows(rendered)))))
        return True

    async def send(self, chat_id: int, action: Action) -> Result:
        """One call into a citizen's chat, in turn with the assistant's replies there."""
        async with self._turns(chat_id):
            return await self.delivery_call(chat_id, action)

    async def delivery_call(self, chat_id: int, action: Action) -> Result:
        assert self.delivery is not None
        return await self.delivery.call(chat_id, action)

    async def _download(self, chat_id: int, file_id: str) -> bytes:
        """A picture's bytes, paced and retried like any call (a 5xx, a lost connection, a 429)."""
        try:
            data = await self.delivery_call(chat_id, DownloadFile(file_id))
        except (Rejected, Transient, Blocked) as error:
            raise NotFetched(type(error).__name__) from error
        if not isinstance(data, bytes):
            raise NotFetched(f"a download answered {type(data).__name__}")
        return data

    async def record_blocked(self, chat_id: int) -> None:
        """A 403: a citizen blocked the bot (their private chat is their dialog's), or it left a group."""
        if chat_id < 0:
            log.error("the bot may not post in chat %s any more (removed from the group?)", chat_id)
            return
        await self.store.mark_blocked(self.dialog_key(chat_id, chat_id))

    async def actions(self, key: DialogKey, incoming: Incoming, answer: Answer) -> list[Action]:
        """The Bot API calls that answer `incoming`: acknowledge, tidy up, reply."""
        chat = incoming.chat_id
        actions: list[Action] = []
        if incoming.callback_id is not None:
            actions.append(AnswerCallback(incoming.callback_id))
        if incoming.keyboard_message_id is not None:
            actions.append(ClearKeyboard(chat, incoming.keyboard_message_id))
        if Effect.FORGET_MESSAGE in answer.effects and incoming.message_id is not None:
            actions.append(DeleteMessage(chat, incoming.message_id))
        leaving_phone, language = answer.step_before is StepName.PHONE, answer.language
        for reply in answer.replies:
            rows = _rows(reply)
            if reply.ask_password:
                reply, rows[:0] = await self._password_form(key, reply, language)
            actions += self._messages(chat, reply, tuple(rows), language, leaving_phone and not reply.ask_contact)
        return actions

    async def _password_form(self, key: DialogKey, reply: Rendered, language: Language) -> tuple[Rendered, list[Row]]:
        """A fresh one-time link to the password form, as a Mini App and, for older clients, a web page.
        Telegram takes only https links for these; without WEBAPP_URL (trying the bot out) the link is
        written out, for a browser on the machine the bot runs on."""
        url = await self._links.new_url(self._password_page, key, language)
        if not self._form_in_telegram:
            written = self._catalogs.render(OPEN_ON_THIS_COMPUTER.bind(url=url), language)
            return replace(reply, paragraphs=(*reply.paragraphs, written)), []
        return reply, [(WebAppButton(self._catalogs.render(OPEN_FORM, language), url),),
                       (LinkButton(self._catalogs.render(OPEN_IN_BROWSER, language), url),)]

    def _messages(
        self, chat: int, reply: Rendered, rows: tuple[Row, ...], language: Language, drop_contact_keyboard: bool,
    ) -> list[Action]:
        markup: Markup = None
        if rows:
            markup = InlineKeyboard(rows)
        elif reply.ask_contact:
            markup = ContactKeyboard(self._catalogs.render(SHARE_PHONE, language))
        if not drop_contact_keyboard:
            return [SendMessage(chat, reply.text, markup)]
        if markup is None:
            return [SendMessage(chat, reply.text, RemoveKeyboard())]
        # A message carries one keyboard: the first paragraphs take the contact keyboard away,
        # the question keeps its buttons.
        *first, question = reply.paragraphs
        return [SendMessage(chat, "\n\n".join(first) or "✓", RemoveKeyboard()), SendMessage(chat, question, markup)]




def _rows(reply: Rendered) -> list[Row]:
    return [tuple(CallbackButton(button.label, button.id) for button in row) for row in reply.buttons]
