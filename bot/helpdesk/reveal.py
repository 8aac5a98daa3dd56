"""/reveal: one field of a citizen's details, whole, for the staff group's administrators only.

The card shows a citizen's details masked; an administrator who needs one
whole (to read a name out at a counter, say) asks for it in the case's
topic and gets it in their private chat with the bot, never in the group.
Every attempt is audited, refusals too, and the audit entry is written
before the value is sent: if it cannot be written, nothing is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from bot.channels.telegram.actions import Blocked, Rejected, SendMessage
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.updates import Person
from bot.helpdesk.audit import AuditLog, staff_actor
from bot.helpdesk.cases import Case
from bot.helpdesk.roster import StaffRoster
from bot.helpdesk.texts import (
    CARD,
    OPEN_PRIVATE_CHAT,
    REVEAL_ADMINS_ONLY,
    REVEAL_EMPTY,
    REVEAL_FIELDS,
    REVEAL_NOT_RECORDED,
    REVEAL_PRIVATE,
    REVEALED,
)
from bot.helpdesk.topics import Topics
from conversations.fields import national_phone

REVEALABLE = {
    "id": "id_number", "id_number": "id_number", "cccd": "id_number", "name": "full_name",
    "full_name": "full_name", "birth": "birth_date", "birth_date": "birth_date", "dob": "birth_date",
    "phone": "phone", "email": "email",
}

# Whether the staff member may act on the case (its assignee, or taking it now): the staff side's rule.
MayAct = Callable[[Case, Person], Awaitable[bool]]


class Reveal:
    def __init__(self, topics: Topics, audit: AuditLog, roster: StaffRoster, delivery: Delivery) -> None:
        self._topics = topics
        self._audit = audit
        self._roster = roster
        self._delivery = delivery

    async def reveal(self, case: Case, staff: Person, args: str, may_act: MayAct) -> None:
        """One field, whole, in the assignee's private chat with the bot, for the group's administrators only.
        Recorded in the audit before it is shown (not shown if it cannot be), refusals too, then in the topic."""
        field = REVEALABLE.get(args.strip().lower())
        if not await self._roster.is_admin(staff):
            await self._refused(case, staff, "not admin", field)
            await self._topics.say(case, REVEAL_ADMINS_ONLY)
            return
        if not await may_act(case, staff):
            await self._refused(case, staff, "not assignee", field)
            return
        if field is None:
            await self._refused(case, staff, "unknown field", field)
            await self._topics.say(case, REVEAL_FIELDS)
            return
        dialog = await self._topics.dialog(case)
        value = getattr(dialog.data, field) if dialog is not None else None
        label = self._topics.text(CARD[field]).lower()
        if not value:
            await self._topics.say(case, REVEAL_EMPTY, field=label)
            return
        if not await self._audit.written("reveal", case.id, staff_actor(staff.id), field):
            await self._topics.say(case, REVEAL_NOT_RECORDED)
            return
        shown = national_phone(value) if field == "phone" else \
            f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value)
        private = self._topics.text(REVEAL_PRIVATE.bind(number=case.id, field=label, value=shown))
        try:
            await self._delivery.call(staff.id, SendMessage(staff.id, private))
        except (Blocked, Rejected):
            await self._audit.written("reveal_undelivered", case.id, staff_actor(staff.id), field)
            await self._topics.say(case, OPEN_PRIVATE_CHAT)
            return
        await self._topics.say(case, REVEALED, name=staff.first_name, field=label, number=case.id)

    async def _refused(self, case: Case, staff: Person, reason: str, field: str | None) -> None:
        """A /reveal refused, in the audit: who, why and which field, never a value."""
        detail = f"{reason}: {field}" if field else reason
        await self._audit.written("reveal_refused", case.id, staff_actor(staff.id), detail)
