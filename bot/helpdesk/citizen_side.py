"""The help desk's side of a citizen's event: a look before the assistant answers, its part after.

Before: a staff member's `/assist` and a prepared registration's link
(`/start <token>`, or its hand-over code typed on Zalo) become the events
the flow knows. After: the
assistant's effects are carried out in the staff group — a case opened
and its card posted on a handoff, the citizen's message relayed while
they are with staff, the case closed and forgotten on `/delete`, the card
kept true as the citizen moves on. A citizen of this bot's Telegram chat
is relayed by copying their message (photos included); a citizen of
another channel by their words, and their pictures posted as photos. Words with a code or password inside are
never copied: staff get them as text, the secret hidden
(`conversations.handoff.for_staff`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace

from bot.channels.telegram.actions import (
    Blocked,
    CloseTopic,
    CopyMessage,
    Rejected,
    SendMessage,
    SendPhoto,
    Transient,
)
from bot.channels.telegram.updates import Origin
from bot.core.answer import Handled, content_type_of
from bot.core.incoming import Attachment, Incoming
from bot.helpdesk.assisted import Assisted
from bot.helpdesk.audit import AuditLog
from bot.helpdesk.cases import Case, CaseStore, Status
from bot.helpdesk.texts import CITIZEN_BACK, CITIZEN_ERASED, CITIZEN_SENT_OTHER, PICTURE_NOT_RELAYED
from bot.helpdesk.topics import Topics
from bot.idcard.card_photos import NotFetched
from bot.idcard.qr_image import MAX_IMAGE_BYTES
from bot.ops.logs import log_failure
from bot.storage import DialogStore, load_readable
from bot.webapp.links import plausible
from conversations.dialog import Dialog
from conversations.events import Adopted, Command, Picture, Said, SharedContact, StaffAction, Unsupported
from conversations.handoff import for_staff, relayed
from conversations.replies import Effect

log = logging.getLogger(__name__)


class CitizenSide:
    def __init__(
        self, topics: Topics, cases: CaseStore, audit: AuditLog, assisted: Assisted, store: DialogStore,
    ) -> None:
        self._topics = topics
        self._cases = cases
        self._audit = audit
        self._assisted = assisted
        self._store = store

    async def translate(self, incoming: Incoming) -> Incoming:
        code = self._assisted.code_in(incoming)  # a hand-over code typed on Zalo: as /start <token> on Telegram
        if code is not None:
            return replace(incoming, event=Adopted(await self._assisted.adopt_code(code, incoming), by_code=True))
        event = incoming.event
        if not isinstance(event, Command):
            return incoming
        if event.name == "assist":
            return await self._assisted.start(incoming)
        if event.name == "start" and plausible(event.args):
            return replace(incoming, event=Adopted(await self._assisted.adopt(event.args, incoming)))
        return incoming

    async def after(self, incoming: Incoming, handled: Handled) -> None:
        if isinstance(incoming.event, StaffAction):
            return  # staff commands do their own bookkeeping
        with reported("after a citizen's update"):
            await self._after(incoming, handled)

    async def _after(self, incoming: Incoming, handled: Handled) -> None:
        effects, dialog = handled.effects, handled.dialog
        if Effect.ERASE in effects:
            await self._erase(incoming)
        elif Effect.HANDED_OFF in effects:
            await self._hand_off(incoming, dialog)
        elif Effect.RELAY in effects:
            await self._relay(incoming, dialog)
        elif Effect.PREPARED in effects:
            await self._assisted.send_link(incoming, dialog)
        elif Effect.BACK_WITH_ASSISTANT in effects:
            case = await self._cases.of_citizen(incoming.key)
            if case is not None:
                await self._cases.save(case, status=Status.ASSISTANT)
                await self._topics.say(case, CITIZEN_BACK)
                await self._audit.record("back", case.id, "citizen")
                await self._topics.refresh(case, dialog)
        elif dialog.followed and handled.stored and dialog.step != handled.step_before:
            case = await self._cases.of_citizen(incoming.key)
            if case is not None and case.status is not Status.CLOSED:
                await self._topics.refresh(case, dialog)

    async def redelivered(self, incoming: Incoming) -> None:
        """A citizen's update handled before, delivered again: its worker may have died between saving the
        dialog and copying the message to staff. Copied now unless it was: staff may, rarely, see a message
        twice (its first worker still copying), but never miss one."""
        with reported("relaying a re-delivered update"):
            dialog = await load_readable(self._store, incoming.key)
            if dialog is not None and relayed(dialog, incoming.event):
                await self._relay(incoming, dialog, again=True)

    async def _erase(self, incoming: Incoming) -> None:
        """/delete: staff are told, the card and topic name lose the (masked) details, the case is forgotten."""
        case = await self._cases.of_citizen(incoming.key)
        if case is None:
            return
        await self._cases.save(case, status=Status.CLOSED)
        await self._topics.say(case, CITIZEN_ERASED, number=case.id)
        await self._topics.refresh(case)  # the dialog is gone: nothing personal left to show
        with suppress(Rejected):
            await self._topics.call(CloseTopic(self._topics.chat_id, case.topic))
        await self._cases.forget(case)
        await self._audit.record("erase", case.id, "citizen")

    async def _hand_off(self, incoming: Incoming, dialog: Dialog) -> None:
        assert dialog.handoff is not None
        case = await self._cases.open(incoming.key)
        reopen = case.status is Status.CLOSED and case.topic
        await self._cases.save(case, status=Status.WAITING, reason=dialog.handoff.reason,
                               since=dialog.handoff.since.timestamp(), assignee=0, assignee_name="")
        if not case.topic:
            await self._topics.new_topic(case, dialog)
        elif reopen:
            await self._topics.reopen(case)
        await self._topics.post_card(case, dialog)
        actor = "citizen" if dialog.handoff.reason == "asked" else "assistant"
        await self._audit.record("handoff", case.id, actor, dialog.handoff.reason)

    async def _relay(self, incoming: Incoming, dialog: Dialog, again: bool = False) -> None:
        case = await self._cases.of_citizen(incoming.key)
        if (case is None or case.status not in (Status.WAITING, Status.TALKING)) and dialog.handoff is not None:
            # The dialog was saved as handed off but the case never opened: its worker died in between.
            log.warning("a citizen with the help desk had no open case (%s); opening it now",
                        "none" if case is None else f"#{case.id} {case.status}")
            await self._hand_off(incoming, dialog)
            case = await self._cases.of_citizen(incoming.key)
        origin, staff_chat = incoming.origin, self._topics.chat_id
        if case is None:
            return
        said = incoming.event.text if isinstance(incoming.event, Said) else None
        shown = for_staff(dialog, said) if said is not None else None
        if isinstance(origin, Origin) and origin.message_id is not None:
            message_id, source = origin.message_id, f"c:{origin.message_id}"
            if again and await self._cases.copy_of(case, source) is not None:
                return  # relayed before this delivery
            if shown is not None and shown != said:  # a secret inside: the words, hidden, not a copy
                copy = await self._topics.in_topic(
                    case, lambda topic: SendMessage(staff_chat, shown, thread_id=topic))
            else:
                copy = await self._topics.in_topic(
                    case, lambda topic: CopyMessage(staff_chat, origin.chat_id, message_id, topic))
            if isinstance(copy, int):
                await self._cases.remember_copy(case, source, copy)
        elif shown is not None and not again:  # a channel with no message to copy: its words
            await self._topics.in_topic(case, lambda topic: SendMessage(staff_chat, shown, thread_id=topic))
        elif isinstance(origin, Attachment) and not again:  # …and its pictures
            await self._relay_picture(case, origin)
        elif isinstance(incoming.event, Unsupported | SharedContact | Picture) and not again:  # …and the rest, told
            await self._topics.say(case, CITIZEN_SENT_OTHER)

    async def _relay_picture(self, case: Case, picture: Attachment) -> None:
        """A picture from a channel with no message to copy, posted into the topic as a photo (its bytes are
        downloaded once, by the front's `Attachment`); staff are told of one that cannot be shown."""
        try:
            data = await picture.fetch()
        except NotFetched as error:
            log.info("case %s: a citizen's picture not downloaded: %s", case.id, error)
            data = b""
        if 0 < len(data) <= MAX_IMAGE_BYTES and content_type_of(data) is not None:  # Telegram's photos: 10 MB
            try:
                await self._topics.in_topic(case, lambda topic: SendPhoto(self._topics.chat_id, data, thread_id=topic))
                return
            except Rejected as error:  # a picture Telegram cannot process
                log.info("case %s: a citizen's picture refused by Telegram: %s", case.id, error)
        await self._topics.say(case, PICTURE_NOT_RELAYED)


@contextmanager
def reported(when: str) -> Iterator[None]:
    """A Bot API call the help desk could not make is logged, by type and reference (Telegram's description
    may quote the text it refused); it never stops the citizen's dialog."""
    try:
        yield
    except (Blocked, Rejected, Transient) as error:
        log_failure(log, f"help desk: a call {when}", error, logging.WARNING)
