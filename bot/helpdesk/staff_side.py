"""The staff group at work: messages in a case's topic relayed to the citizen, and the staff commands.

Only members of the staff group are heard (`roster.py`), and only its
administrators may see a citizen's details in full (`/reveal`, reveal.py,
audited before anything is shown). In a case's
topic, a staff member's message goes to the citizen (the first one claims
an unassigned case, atomically); a command changes the case — the table
`COMMANDS` lists them. Whatever a command does to the citizen's dialog
goes through the switchboard as a `StaffAction`, so it takes the same lock
and path as anything the citizen sends, and the answer reaches the
citizen on their own channel; when it cannot (Zalo's 7-day window, an
unfollow), staff are told why, as they are of their own words.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    CallbackButton,
    ClearKeyboard,
    CloseTopic,
    CopyMessage,
    DownloadFile,
    EditText,
    InlineKeyboard,
    Rejected,
    Result,
    Transient,
)
from bot.channels.telegram.adapter import BotIdentity
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.updates import GroupPost, GroupPress, Person, PrivateEdit, read_other
from bot.core.answer import Handled, Image, Rendered, SayResult, content_type_of
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.switchboard import Switchboard
from bot.helpdesk.audit import AuditLog, staff_actor
from bot.helpdesk.cases import Case, CaseStore, Status
from bot.helpdesk.citizen_side import reported
from bot.helpdesk.reveal import Reveal
from bot.helpdesk.roster import StaffRoster
from bot.helpdesk.texts import (
    CANNOT_RESUME,
    CARD,
    CHOOSE_STEP,
    CLOSED_NOTE,
    EDIT_NOT_FOLLOWED,
    NO_TARGET,
    NOT_TALKING,
    NOT_TOLD,
    NOT_YOURS,
    ONLY_ASSIGNEE,
    ONLY_WORDS_AND_PICTURES,
    RESUMED,
    STEP_LABELS,
    TAKEN,
    TRANSFERRED,
    UNDELIVERED,
    UNKNOWN_COMMAND,
    UNKNOWN_STAFF,
)
from bot.helpdesk.topics import Topics
from bot.storage import DialogKey
from conversations.dialog import StepName
from conversations.events import StaffAction, read_command
from conversations.fields.normalize import fold
from conversations.handoff import for_staff, looks_secret, resumable

log = logging.getLogger(__name__)

RESUME_BUTTON = "desk:resume:"


class StaffSide:
    def __init__(
        self, switchboard: Switchboard, topics: Topics, cases: CaseStore, audit: AuditLog, roster: StaffRoster,
        delivery: Delivery, catalogs: Catalogs, bot: BotIdentity, revealing: Reveal, show_name: bool = False,
    ) -> None:
        """`revealing`: /reveal's part; `show_name`: tell citizens the first name of the staff member helping
        (STAFF_SHOW_NAME)."""
        self._switchboard = switchboard
        self._topics = topics
        self._cases = cases
        self._audit = audit
        self._roster = roster
        self._delivery = delivery
        self._catalogs = catalogs
        self._bot = bot
        self._revealing = revealing
        self._show_name = show_name

    async def on_update(self, update: Any) -> None:
        """An update that is not a citizen's: the staff group's traffic, or a citizen editing a message."""
        with reported("on a staff group update"):
            match read_other(update):
                case PrivateEdit() as edit:
                    await self._citizen_edited(edit)
                case GroupPost(chat_id=self._topics.chat_id) as post if await self._allowed(post.sender):
                    await self._post(post)
                case GroupPress(chat_id=self._topics.chat_id) as press:
                    await self._topics.call(AnswerCallback(press.callback_id))
                    if await self._allowed(press.sender):
                        await self._press(press)

    async def _allowed(self, person: Person) -> bool:
        if person.id == self._bot.id:
            return False
        if await self._roster.is_member(person):
            return True
        log.warning("refused a message from user %s in the staff group: not a member", person.id)
        return False

    async def _post(self, post: GroupPost) -> None:
        case = await self._cases.of_topic(post.thread_id) if post.thread_id else None
        if case is None:
            return  # the General topic, or a topic that is not a case
        if post.edited:
            await self._staff_edited(case, post)
            return
        command = read_command(post.text) if post.text else None
        if command is None:
            await self._says(case, post)
            return
        run = COMMANDS.get(command.name, StaffSide._unknown)
        await run(self, case, post.sender, command.args, post)

    async def _press(self, press: GroupPress) -> None:
        case = await self._cases.of_topic(press.thread_id) if press.thread_id else None
        if case is None or not press.data.startswith(RESUME_BUTTON):
            return
        await self._topics.call(ClearKeyboard(self._topics.chat_id, press.message_id))
        await self._resume(case, press.sender, press.data.removeprefix(RESUME_BUTTON))

    async def _says(self, case: Case, post: GroupPost) -> None:
        staff = post.sender
        if case.status in (Status.ASSISTANT, Status.CLOSED):
            await self._topics.say(case, NOT_TALKING)
            return
        if not case.assignee and await self._cases.claim(case, staff.id, staff.first_name):
            await self._joined(case, staff, "claim")
        if case.assignee != staff.id:
            await self._topics.say(case, NOT_YOURS, number=case.id, name=case.assignee_name)
            return
        source = f"s:{post.message_id}"
        if not await self._cases.claim_relay(case, source):
            return  # delivered again by Telegram (a webhook answer it did not get): relayed once already
        if not self._in_telegram(case):  # a citizen of another channel gets the words and the picture
            await self._say_elsewhere(case, post, source)
            return
        copy = await self._to_citizen(case, CopyMessage(int(case.chat_id), self._topics.chat_id, post.message_id),
                                      report=True)
        if isinstance(copy, int):
            await self._cases.remember_copy(case, source, copy)

    async def _say_elsewhere(self, case: Case, post: GroupPost, source: str) -> None:
        """A staff message as a reply of the citizen's own channel (Zalo: a consultation message, a picture through
        its upload); staff are told in the topic what did not get there, and why."""
        image: Image | None = None
        if post.picture is not None:
            try:
                data = await self._delivery.call(self._topics.chat_id, DownloadFile(post.picture.file_id))
            except (Rejected, Transient) as error:  # over the Bot API's 20 MB, or Telegram unreachable
                log.info("case %s: a staff picture not downloaded: %s", case.id, type(error).__name__)
                await self._topics.say(case, UNDELIVERED[SayResult.REFUSED])
                return
            assert isinstance(data, bytes)
            kind = content_type_of(data)
            if kind is None:
                await self._topics.say(case, UNDELIVERED[SayResult.PICTURE_TYPE])
                return
            image = Image(data, kind)
        if image is None and not post.text:
            await self._topics.say(case, ONLY_WORDS_AND_PICTURES)  # a sticker, a voice note, a PDF…
            return
        result = await self._switchboard.say(case.citizen, Rendered((post.text,) if post.text else (), picture=image))
        if result.delivered:
            await self._cases.sent_elsewhere(case, source)
            return
        await self._topics.say(case, UNDELIVERED[result])
        await self._audit.record("undelivered", case.id, staff_actor(post.sender.id), result.value)

    # --- the commands: each takes the case, the staff member, the command's arguments and the post -----------

    async def _note(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        """/note stays in the topic, for colleagues."""

    async def _card(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        await self._topics.post_card(case, await self._topics.dialog(case))

    async def _unknown(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        await self._topics.say(case, UNKNOWN_COMMAND)

    async def _take(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        """/take: this staff member has the case now, whoever had it, and the citizen is with staff."""
        if case.status is Status.CLOSED:
            await self._topics.reopen(case)
        await self._cases.save(case, status=Status.TALKING, assignee=staff.id, assignee_name=staff.first_name)
        await self._joined(case, staff, "take")

    async def _transfer(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        if post is None or not await self._may_act(case, staff):
            return
        target = post.replied_to or post.mentioned
        if target is None and args.startswith("@"):
            target = await self._roster.by_username(args.split()[0])
            if target is None:
                await self._topics.say(case, UNKNOWN_STAFF, who=args.split()[0])
                return
        if target is None or target.id in (self._bot.id, staff.id):
            await self._topics.say(case, NO_TARGET)
            return
        if not await self._roster.is_member(target):
            await self._topics.say(case, UNKNOWN_STAFF, who=target.first_name)
            return
        old = case.assignee_name
        await self._cases.save(case, assignee=target.id, assignee_name=target.first_name, status=Status.TALKING)
        handled = await self._staff_joins(case, target)
        await self._topics.say(case, TRANSFERRED, number=case.id, old=old, new=target.first_name)
        await self._audit.record("transfer", case.id, staff_actor(staff.id), staff_actor(target.id))
        await self._told(case, staff, handled)
        await self._topics.refresh(case)

    async def _resume(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        if not await self._may_act(case, staff):
            return
        dialog = await self._topics.dialog(case)
        if dialog is None:
            await self._topics.say(case, CARD["gone"])
            return
        choices = resumable(dialog)
        step = self._step_named(args)
        if step not in choices:
            buttons = tuple((CallbackButton(self._topics.text(STEP_LABELS[choice]), RESUME_BUTTON + choice),)
                            for choice in choices)
            await self._topics.say(case, CANNOT_RESUME if args else CHOOSE_STEP, markup=InlineKeyboard(buttons))
            return
        assert step is not None
        handled = await self._act(case, StaffAction("resume", step=step))
        if handled is None or handled.dialog.step is not step:
            await self._topics.say(case, CANNOT_RESUME)
            return
        await self._cases.save(case, status=Status.ASSISTANT)
        await self._topics.say(case, RESUMED, name=staff.first_name, step=self._topics.text(STEP_LABELS[step]))
        await self._audit.record("resume", case.id, staff_actor(staff.id), step)
        await self._told(case, staff, handled)
        await self._topics.refresh(case, handled.dialog)

    async def _close(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        if case.status is Status.CLOSED or not await self._may_act(case, staff):
            return
        handled = await self._act(case, StaffAction("close"))
        await self._cases.save(case, status=Status.CLOSED)
        await self._topics.say(case, CLOSED_NOTE, number=case.id, name=staff.first_name)
        await self._audit.record("close", case.id, staff_actor(staff.id))
        await self._told(case, staff, handled)
        await self._topics.refresh(case, handled.dialog if handled else None)
        try:
            await self._topics.call(CloseTopic(self._topics.chat_id, case.topic))
        except Rejected as error:
            log.info("case %s: topic not closed: %s", case.id, type(error).__name__)

    async def _reveal(self, case: Case, staff: Person, args: str, post: GroupPost | None = None) -> None:
        await self._revealing.reveal(case, staff, args, self._may_act)

    # --- joining, and who may act -----------------------------------------------------------------------------

    async def _joined(self, case: Case, staff: Person, action: str) -> None:
        handled = await self._staff_joins(case, staff)
        await self._topics.say(case, TAKEN, name=staff.first_name, number=case.id)
        await self._audit.record(action, case.id, staff_actor(staff.id))
        await self._told(case, staff, handled)
        await self._topics.refresh(case, handled.dialog if handled else None)

    async def _staff_joins(self, case: Case, staff: Person) -> Handled | None:
        """Tell the citizen a staff member is with them (by first name only if STAFF_SHOW_NAME)."""
        return await self._act(case, StaffAction("join", name=staff.first_name if self._show_name else ""))

    async def _told(self, case: Case, staff: Person, handled: Handled | None) -> None:
        """What a command made the assistant say that did not reach the citizen (Zalo's 7-day window, an unfollow)
        comes back to staff with the reason, as their own words do; the command did its work all the same."""
        if handled is None or handled.said.delivered:
            return
        await self._topics.say(case, NOT_TOLD.get(handled.said, NOT_TOLD[SayResult.REFUSED]))
        await self._audit.record("undelivered", case.id, staff_actor(staff.id), handled.said.value)

    async def _may_act(self, case: Case, staff: Person) -> bool:
        """Commands that change the case are the assignee's; with nobody assigned, acting takes it, atomically:
        a colleague's first message may be claiming it at the same moment."""
        closed = case.status is Status.CLOSED
        if not case.assignee and await self._cases.claim(case, staff.id, staff.first_name):
            if closed:
                await self._topics.reopen(case)
            await self._joined(case, staff, "claim")
        if case.assignee == staff.id:
            return True
        await self._topics.say(case, ONLY_ASSIGNEE, name=case.assignee_name, number=case.id)
        return False

    # --- edits ----------------------------------------------------------------------------------------------

    async def _staff_edited(self, case: Case, post: GroupPost) -> None:
        source = f"s:{post.message_id}"
        copy = await self._cases.copy_of(case, source)
        if copy is None:
            return  # never relayed: nothing the citizen sees changes
        if not self._in_telegram(case):  # Zalo cannot edit a sent message: staff are told, once for each message
            if await self._cases.first_edit(case, source):
                await self._topics.say(case, EDIT_NOT_FOLLOWED)
            return
        if post.text and case.assignee == post.sender.id:
            await self._to_citizen(case, EditText(int(case.chat_id), copy, post.text))

    async def _citizen_edited(self, edit: PrivateEdit) -> None:
        case = await self._cases.of_citizen(self._citizen_key(edit))
        if case is None or case.status not in (Status.WAITING, Status.TALKING):
            return
        copy = await self._cases.copy_of(case, f"c:{edit.message_id}")
        dialog = await self._topics.dialog(case)
        if copy is not None and dialog is not None and not looks_secret(dialog, edit.text):
            shown = for_staff(dialog, edit.text)  # a code or password typed in since: hidden
            await self._topics.in_topic(case, lambda topic: EditText(self._topics.chat_id, copy, shown))

    # --- small helpers ----------------------------------------------------------------------------------------

    async def _act(self, case: Case, action: StaffAction) -> Handled | None:
        """What a staff member does to the citizen's dialog, on the path the citizen's own events take."""
        return await self._switchboard.handle(Incoming(case.citizen, action))

    def _in_telegram(self, case: Case) -> bool:
        return case.bot == str(self._bot.id)

    def _citizen_key(self, edit: PrivateEdit) -> DialogKey:
        return DialogKey(str(self._bot.id), str(edit.chat_id), str(edit.user_id))

    def _step_named(self, name: str) -> StepName | None:
        """A step by its id ("birth_date") or its label in either language ("ngày sinh")."""
        wanted = fold(name)
        for step, label in STEP_LABELS.items():
            if wanted in {fold(step.value), *(fold(shown) for shown in self._catalogs.labels(label))}:
                return step
        return None

    async def _to_citizen(self, case: Case, action: Action, report: bool = False) -> Result:
        """One call into the citizen's Telegram chat, in turn with the assistant's replies there; `report`: staff
        are told in the topic when it did not get there (a staff message, not an edit of one)."""
        try:
            async with self._switchboard.turn(case.citizen):
                return await self._delivery.call(int(case.chat_id), action)
        except (Blocked, Rejected) as error:
            log.info("case %s: not delivered to the citizen: %s", case.id, type(error).__name__)
            blocked = isinstance(error, Blocked)
            if blocked:
                await self._delivery.blocked(int(case.chat_id))
            if report:
                await self._topics.say(case, UNDELIVERED[SayResult.UNFOLLOWED if blocked else SayResult.REFUSED])
            return None


StaffCommand = Callable[[StaffSide, Case, Person, str, GroupPost], Awaitable[None]]
COMMANDS: dict[str, StaffCommand] = {
    "note": StaffSide._note,
    "card": StaffSide._card,
    "take": StaffSide._take,
    "transfer": StaffSide._transfer,
    "resume": StaffSide._resume,
    "close": StaffSide._close,
    "reveal": StaffSide._reveal,
}
