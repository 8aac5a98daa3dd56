"""The dialog's part of every event: lock, load, run the flow, save, render.

Every channel, the password form and the help desk reach it through the
switchboard (`bot/core/switchboard.py`), so the rules that keep a dialog
consistent — one event at a time per dialog, the state loaded inside the
lock, nothing stored on a refusal — hold whichever door an event comes through.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.answer import Handled, Rendered, RenderedButton
from bot.core.i18n import Catalogs
from bot.core.texts import DIALOG_UNREADABLE
from bot.ops.flow_metrics import observe_handled
from bot.storage import Counted, DialogKey, DialogStore, Tally
from conversations.dialog import Dialog, Language
from conversations.engine import handle
from conversations.events import Event
from conversations.portal import Portal
from conversations.quota import UNLIMITED, RegistrationQuota
from conversations.replies import Effect, Reply
from conversations.step import Context

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
QuotaOf = Callable[[DialogKey], RegistrationQuota]  # the registration quota that applies to a dialog


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Gate:
    """Turns events away past a rate: counted by the round trip that takes the dialog's lock (no trip of
    its own), judged under it, in the dialog's language. `admits` says whether the event goes on."""

    tally: Tally
    admits: Callable[[Counted, Language], Awaitable[bool]]


class TurnedAway(Exception):
    """The gate refused the event: nothing was run or stored."""


class Assistant:
    def __init__(
        self,
        store: DialogStore,
        portal: Portal,
        catalogs: Catalogs,
        clock: Clock = utc_now,
        default_language: Language = "vi",
        help_desk: bool = False,
        quota: QuotaOf = lambda key: UNLIMITED,
        demo: bool = False,
    ) -> None:
        """`demo`: the portal is the sandbox, which every citizen is told when they start."""
        self.store = store
        self._portal = portal
        self._catalogs = catalogs
        self._clock = clock
        self._default_language = default_language
        self._help_desk = help_desk
        self._quota = quota
        self._demo = demo

    @property
    def default_language(self) -> Language:
        """The language of a new dialog, and of what is said when no dialog can be read."""
        return self._default_language

    async def handle(
        self, key: DialogKey, event: Event, language: Language | None = None, event_id: str | None = None,
        gate: Gate | None = None, deletes_messages: bool = True,
    ) -> Handled:
        """Handle `event` for the dialog at `key`; `language` picks the language of a new dialog.

        An `event_id` seen before (a re-delivered update) raises `AlreadyHandled`, with its `Answer`
        (dumped) if it may not have been sent; one the `gate` refuses raises `TurnedAway`. The answer to an event
        with an id is kept beside the dialog for that. A stored dialog that cannot be read starts afresh, the
        citizen told why first. `deletes_messages`: whether the dialog's channel can delete the citizen's message.
        """
        context = Context(now=self._clock(), portal=self._portal, labels=self._catalogs.labels,
                          help_desk=self._help_desk, quota=self._quota(key), demo=self._demo,
                          deletes_messages=deletes_messages)
        async with self.store.hold(key, event_id, gate.tally if gate else None) as held:
            dialog = held.dialog or Dialog(language=language or self._default_language)
            if gate is not None and held.counted is not None and not await gate.admits(held.counted, dialog.language):
                raise TurnedAway
            outcome = await handle(dialog, event, context)
            erase = Effect.ERASE in outcome.effects
            rendered = tuple(self.render(reply, outcome.dialog.language) for reply in outcome.replies)
            if held.unreadable:  # the broken document is replaced by this fresh one: say why it starts over
                rendered = (Rendered((self._catalogs.render(DIALOG_UNREADABLE, dialog.language),)), *rendered)
            handled = Handled(rendered, outcome.effects, outcome.dialog, dialog.step,
                              stored=not erase and (outcome.changed or held.dialog is None), taken=outcome.changed)
            held.erase = erase
            held.save = outcome.dialog if handled.stored else None
            held.answer = handled.answer.dump() if event_id and handled.replies else None
        if dialog.step != outcome.dialog.step:
            log.info("dialog %s:%s moved %s -> %s", key.bot, key.user, dialog.step, outcome.dialog.step)
        for effect in outcome.effects:
            log.info("dialog %s:%s effect %s", key.bot, key.user, effect)
        observe_handled(dialog, event, outcome, started=held.dialog is None)
        return handled

    def render(self, reply: Reply, language: Language) -> Rendered:
        buttons = tuple(
            tuple(RenderedButton(button.id, self._catalogs.render(button.label, language)) for button in row)
            for row in reply.buttons
        )
        paragraphs = tuple(self._catalogs.render_paragraph(paragraph, language) for paragraph in reply.lines)
        return Rendered(paragraphs, buttons, reply.ask_contact, reply.ask_password)
