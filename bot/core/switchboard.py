"""The path every citizen event takes, from any channel, and the way back out through the channel it came by.

Per event: take the dialog's turn in this process (so a burst is answered
in the order it came); let the help desk see it first; hand it to the
assistant, which locks the dialog in Redis, skips an event handled before
and counts it against the sender's message rate; send the answer through
the channel the dialog belongs to (`DialogKey.bot` names it); let the help
desk do its part after. The password form and help-desk staff come in
here too, as events without an id, so they take the same lock and path.

When the dialog store fails (Redis down, the dialog locked too long),
the citizen is told at once, in their platform's language, that their
progress is kept and to send again: nothing was changed, so nothing is
lost, and the next message after Redis is back carries on where they were.
Any other failure (a bug, a portal answer nobody foresaw) is answered
too, never with silence: the citizen is told something went wrong on our
side and their progress is kept (a failed handling saves nothing), with a
reference that finds the log line; the line names the error's type, never
its message, which may quote what the citizen typed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace

from pydantic import ValidationError
from redis.exceptions import RedisError

from bot.core.answer import Answer, Handled, Rendered, SayResult
from bot.core.assistant import Assistant, TurnedAway
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming, kind_of
from bot.core.keyed_lock import KeyedLock
from bot.core.message_rate import MessageRate
from bot.core.ports import CitizenDesk, Replies
from bot.core.texts import STORE_UNAVAILABLE, UPDATE_FAILED
from bot.ops import metrics
from bot.ops.logs import log_failure
from bot.storage import AlreadyHandled, DialogBusy, DialogKey, LockLost, load_readable
from conversations.reminder import reminder
from conversations.text import Text

log = logging.getLogger(__name__)

# The dialog could not be read or saved: nothing about it changed, so the citizen may simply send again.
STORE_FAILURES = (RedisError, DialogBusy, LockLost)


class Switchboard:
    def __init__(
        self, assistant: Assistant, catalogs: Catalogs, channels: Mapping[str, Replies],
        desk: CitizenDesk | None = None, rate: MessageRate | None = None,
    ) -> None:
        """`channels`: each channel account's way out, by the `DialogKey.bot` of its dialogs."""
        self._assistant = assistant
        self._catalogs = catalogs
        self._channels = channels
        self._desk = desk
        self._rate = rate
        self._turns = KeyedLock()

    @asynccontextmanager
    async def turn(self, key: DialogKey) -> AsyncIterator[None]:
        """The dialog's turn in this process: what is sent into its chat outside `handle` waits for it."""
        async with self._turns(key):
            yield

    async def handle(self, incoming: Incoming, rated: bool = False) -> Handled | None:
        """Handle and answer one event; None when it was handled before (a re-delivered update; its kept
        answer, if the worker that wrote it died before sending it, is sent now), or when `rated` (a
        citizen's update) and its sender is over their message rate, or when it failed (the citizen was
        told). Raises nothing but cancellation: the citizen is always answered.
        """
        replies = self._channels[incoming.key.bot]
        gate = self._rate.gate(incoming, replies) if rated and self._rate is not None else None
        async with self._turns(incoming.key):
            again = False
            try:
                if self._desk is not None:
                    incoming = await self._desk.translate(incoming)
                try:
                    handled = await self._assistant.handle(incoming.key, incoming.event, incoming.language,
                                                           incoming.event_id, gate, replies.deletes_messages)
                except AlreadyHandled as before:
                    unsent = await self._unsent(incoming, before.answer)
                    if unsent is None:
                        log.info("update %s handled before; skipped", incoming.event_id)
                        if self._desk is not None:
                            await self._desk.redelivered(incoming)
                        return None
                    handled, again = unsent, True
                said = await replies.answer(incoming, handled.answer)
                if not said.delivered:
                    handled = replace(handled, said=said)
            except TurnedAway:
                return None
            except STORE_FAILURES as error:
                log.error("update %s not handled, the dialog store failed: %s", incoming.event_id,
                          type(error).__name__)
                await self._failed(incoming, replies, STORE_UNAVAILABLE)
                return None
            except Exception as error:  # a bug, or a failure nobody foresaw: the citizen still gets an answer
                ref = log_failure(log, f"update {incoming.event_id}", error)
                await self._failed(incoming, replies, UPDATE_FAILED.bind(ref=ref))
                return None
            if self._desk is not None:
                try:
                    await self._desk.after(incoming, handled)  # not done either, if the answer was not sent
                except Exception as error:  # the citizen has their answer; staff's side is what failed
                    log_failure(log, f"the help desk's part of update {incoming.event_id}", error)
                    metrics.update_failed(kind_of(incoming.event))
            if incoming.event_id and handled.replies and not again:  # kept with the save; a re-sent one was taken
                self._assistant.store.answer_sent(incoming.key, incoming.event_id)
        return None if again else handled

    async def _failed(self, incoming: Incoming, replies: Replies, text: Text) -> None:
        """Count an event given up on and tell the citizen, in their language, that their progress is kept.
        The notice failing too (the channel down as well) is logged by type: there is nobody else to tell."""
        metrics.update_failed(kind_of(incoming.event))
        language = incoming.language or self._assistant.default_language
        try:
            await replies.notice(incoming, self._catalogs.render(text, language))
        except Exception as error:
            log_failure(log, f"telling the citizen that update {incoming.event_id} failed", error)

    async def _unsent(self, incoming: Incoming, kept: bytes | None) -> Handled | None:
        """What an update handled before still needs: its answer, kept in case its worker died before
        sending it; the store gives it only once that worker's heartbeat is gone (`bot/storage/heartbeat.py`),
        so a duplicate of an update another worker is still answering is not answered twice."""
        if kept is None:
            return None
        try:
            answer = Answer.load(kept)
        except ValidationError as error:  # its text (the citizen's details, perhaps) stays out of the log
            log.error("update %s: its kept answer is unreadable (%d errors); not sent", incoming.event_id,
                      error.error_count())
            return None
        dialog = await load_readable(self._assistant.store, incoming.key)
        if dialog is None:
            return None
        log.warning("update %s handled before, its answer perhaps unsent; sending it", incoming.event_id)
        return Handled(answer.replies, answer.effects, dialog, answer.step_before, stored=True, taken=answer.taken)

    async def remind(self, key: DialogKey) -> bool:
        """Nudge the citizen of an idle dialog, if it is one worth a nudge (`conversations.reminder`)."""
        dialog = await load_readable(self._assistant.store, key)
        reply = reminder(dialog) if dialog is not None else None
        if dialog is None or reply is None:
            return False
        await self.say(key, self._assistant.render(reply, dialog.language))
        return True

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        """Send `reply` into the dialog's chat, on its channel, in turn with the answers there; whether it got
        there, and if not why."""
        async with self._turns(key):
            return await self._channels[key.bot].say(key, reply)
