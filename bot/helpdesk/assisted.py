"""Assisted registration: staff fill a registration in at a counter, the citizen takes it over on their phone.

A staff member sends `/assist` in their own chat with the bot and answers
the questions for the citizen up to the review; the bot then gives them a
one-time deep link and its QR code. The citizen opens it on their phone:
the prepared dialog becomes theirs (once, within ASSIST_LINK_TTL), the
staff member's chat is free for the next citizen, and the OTP and the
password stay with the citizen. When Zalo is on, the staff member also
gets a hand-over code (handover.py) and the OA's chat link: a citizen on
Zalo, which has no deep link, types the code there to take the same link.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import replace

from bot.channels.telegram.actions import CloseTopic, Rejected, SendMessage, SendPhoto
from bot.channels.telegram.adapter import BotIdentity
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.updates import origin_of
from bot.core.incoming import Incoming
from bot.helpdesk.audit import AuditLog, staff_actor
from bot.helpdesk.cases import Case, CaseStore, Status
from bot.helpdesk.deeplink import deep_link, qr_png
from bot.helpdesk.handover import HandoverCodes, shown, typed_code
from bot.helpdesk.roster import StaffRoster
from bot.helpdesk.texts import LINK_OPENED, LINK_READY, SUPERSEDED, ZALO_CODE, ZALO_CODE_LINK
from bot.helpdesk.topics import Topics
from bot.storage import DialogStore
from bot.webapp.attempts import Attempts
from bot.webapp.links import Link, OneTimeLinks
from conversations.dialog import Dialog, StepName
from conversations.events import Said, StaffAction

log = logging.getLogger(__name__)


class Assisted:
    def __init__(
        self, topics: Topics, cases: CaseStore, audit: AuditLog, roster: StaffRoster, links: OneTimeLinks,
        store: DialogStore, delivery: Delivery, bot: BotIdentity, link_ttl: int,
        codes: HandoverCodes | None = None, attempts: Attempts | None = None, zalo_chat: str | None = None,
    ) -> None:
        """`codes`, `attempts`: the hand-over codes and their limit per citizen, when Zalo is on (None: off);
        `zalo_chat`: the OA's chat link, given with the code when ZALO_OA_ID is set."""
        self._topics = topics
        self._cases = cases
        self._audit = audit
        self._roster = roster
        self._links = links
        self._store = store
        self._delivery = delivery
        self._bot = bot
        self._link_ttl = link_ttl
        self._codes = codes
        self._attempts = attempts
        self._zalo_chat = zalo_chat

    async def start(self, incoming: Incoming) -> Incoming:
        """`/assist` from a staff member starts an assisted registration; from anyone else it is left as it is
        (the assistant answers an unknown command)."""
        if not await self._roster.is_staff(incoming.key):
            log.warning("refused /assist from user %s: not a member of the staff group", incoming.key.user)
            return incoming
        staff_id = int(incoming.key.user)
        case = await self._cases.start_assisted(staff_id)
        await self._audit.record("assist", case.id, staff_actor(staff_id), "started")
        return replace(incoming, event=StaffAction("assist"))

    async def send_link(self, incoming: Incoming, dialog: Dialog) -> None:
        """The prepared registration's one-time deep link and its QR code, to the staff member."""
        token = await self._links.issue(incoming.key, dialog.language)
        url = deep_link(self._bot.username, token)
        caption = self._topics.text(LINK_READY.bind(minutes=max(1, self._link_ttl // 60), url=url))
        if self._codes is not None:  # the same link, for a citizen on Zalo
            code = shown(await self._codes.issue(self._links.name(token)))
            on_zalo = ZALO_CODE_LINK.bind(url=self._zalo_chat, code=code) if self._zalo_chat else \
                ZALO_CODE.bind(code=code)
            caption += "\n\n" + self._topics.text(on_zalo)
        chat = origin_of(incoming).chat_id
        await self._delivery.call(chat, SendPhoto(chat, qr_png(url), caption))
        case = await self._cases.assisted_by(int(incoming.key.user))
        if case is not None:
            await self._audit.record("assist", case.id, staff_actor(int(incoming.key.user)), "link issued")

    def code_in(self, incoming: Incoming) -> str | None:
        """The hand-over code a citizen of a channel without deep links typed, if the event is one."""
        event = incoming.event
        if self._codes is None or incoming.key.bot == str(self._bot.id) or not isinstance(event, Said):
            return None
        return typed_code(event.text)

    async def adopt_code(self, code: str, incoming: Incoming) -> Dialog | None:
        """`adopt` by a hand-over code; a wrong one counts against the citizen's few tries an hour (a right one
        is given back), and past them no code is looked up."""
        assert self._codes is not None and self._attempts is not None
        submission = self._attempts.submission()
        if not await submission.within("handover", f"{incoming.key.bot}:{incoming.key.user}"):
            log.warning("a hand-over code refused unread: too many wrong ones from this citizen")
            return None
        name = await self._codes.consume(code)
        prepared = await self._adopt(await self._links.consume_named(name), incoming) if name is not None else None
        if prepared is not None:
            await submission.accepted()
        return prepared

    async def adopt(self, token: str, incoming: Incoming) -> Dialog | None:
        """Take the prepared dialog from the staff member's chat, once; None if the link is spent or late."""
        return await self._adopt(await self._links.consume(token), incoming)

    async def _adopt(self, link: Link | None, incoming: Incoming) -> Dialog | None:
        if link is None:
            return None
        async with self._store.hold(link.dialog) as held:
            prepared = held.dialog
            if prepared is None or not prepared.assisted or prepared.step is not StepName.REVIEW:
                return None
            held.save = prepared.restarted()  # the staff member's chat is free for the next citizen
        staff_id = int(link.dialog.user)
        case = await self._cases.assisted_by(staff_id)
        if case is not None:
            await self._supersede(incoming, case)
            await self._cases.attach(case, incoming.key)
            await self._audit.record("assist_opened", case.id, "citizen")
        await self._delivery.call(staff_id, SendMessage(staff_id, self._topics.text(LINK_OPENED)))
        return prepared

    async def _supersede(self, incoming: Incoming, assisted: Case) -> None:
        """The prepared dialog replaces the citizen's: a case still open for them is closed, not left waiting."""
        previous = await self._cases.of_citizen(incoming.key)
        if previous is None or previous.id == assisted.id or previous.status is Status.CLOSED:
            return
        await self._cases.save(previous, status=Status.CLOSED)
        await self._audit.record("close", previous.id, "citizen", "assisted registration opened")
        if previous.topic:
            await self._topics.say(previous, SUPERSEDED, number=previous.id, assisted=assisted.id)
            with suppress(Rejected):
                await self._topics.call(CloseTopic(self._topics.chat_id, previous.topic))
