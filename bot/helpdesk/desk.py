"""The help desk at work: cases in forum topics, messages relayed both ways, staff commands.

Citizens' side: the front calls `translate` before the assistant (for
`/assist` and the links of assisted registrations) and `after` once it has
answered (to open a case, relay a message, refresh the card). Staff side:
the front hands every update from the staff group to `on_update`. What a
staff member does to a dialog goes through the front as a `StaffAction`, so
it takes the same lock and path as anything a citizen sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    CallbackButton,
    ClearKeyboard,
    CloseTopic,
    CopyMessage,
    CreateTopic,
    EditText,
    EditTopic,
    GetMemberStatus,
    InlineKeyboard,
    Rejected,
    ReopenTopic,
    Result,
    SendMessage,
    SendPhoto,
    TopicGone,
    Transient,
)
from bot.channels.telegram.adapter import BotIdentity
from bot.channels.telegram.updates import GroupPost, GroupPress, Incoming, Person, PrivateEdit, read_other
from bot.core.assistant import Handled
from bot.core.i18n import Catalogs
from bot.helpdesk.audit import AuditLog, staff_actor
from bot.helpdesk.card import card_text, topic_name
from bot.helpdesk.cases import Case, CaseStore, Status
from bot.helpdesk.deeplink import deep_link, qr_png
from bot.helpdesk.roster import StaffRoster
from bot.helpdesk.texts import (
    CANNOT_RESUME,
    CARD,
    CHOOSE_STEP,
    CITIZEN_BACK,
    CITIZEN_ERASED,
    CLOSED_NOTE,
    LINK_OPENED,
    LINK_READY,
    NO_TARGET,
    NOT_TALKING,
    NOT_YOURS,
    ONLY_ASSIGNEE,
    OPEN_PRIVATE_CHAT,
    RESUMED,
    REVEAL_EMPTY,
    REVEAL_FIELDS,
    REVEAL_PRIVATE,
    REVEALED,
    STEP_LABELS,
    SUPERSEDED,
    TAKEN,
    TRANSFERRED,
    UNKNOWN_COMMAND,
    UNKNOWN_STAFF,
)
from bot.storage.keys import ASSIST_LINKS
from bot.webapp.links import OneTimeLinks, plausible
from conversations.dialog import Dialog, Language, StepName
from conversations.events import Adopted, Command, StaffAction, read_command
from conversations.fields import national_phone
from conversations.fields.normalize import fold
from conversations.handoff import looks_secret, relayed, resumable
from conversations.replies import Effect
from conversations.text import Param, Text

if TYPE_CHECKING:
    from bot.channels.telegram.front import TelegramFront

log = logging.getLogger(__name__)

RESUME_BUTTON = "desk:resume:"
REVEALABLE = {
    "id": "id_number", "id_number": "id_number", "cccd": "id_number", "name": "full_name",
    "full_name": "full_name", "birth": "birth_date", "birth_date": "birth_date", "dob": "birth_date",
    "phone": "phone", "email": "email",
}


class HelpDesk:
    def __init__(
        self, front: TelegramFront, redis: Redis, catalogs: Catalogs, bot: BotIdentity, chat_id: int, *,
        language: Language = "vi", show_name: bool = False, link_ttl: int = 30 * 60,
    ) -> None:
        self.chat_id = chat_id
        self._front = front
        self._catalogs = catalogs
        self._bot = bot
        self._language = language
        self._show_name = show_name
        self._link_ttl = link_ttl
        self._cases = CaseStore(redis, bot.id)
        self._audit = AuditLog(redis)
        self._roster = StaffRoster(redis, bot.id, self._member_status)
        self._links = OneTimeLinks(redis, ASSIST_LINKS, attrgetter("assist_link"), link_ttl)

    async def is_staff(self, user_id: int) -> bool:
        """A member of the staff group (asked of Telegram at most once a minute per person)."""
        return await self._roster.is_staff(Person(user_id, ""))

    # --- the citizen's side: before and after the assistant answers --------------------------------------------

    async def translate(self, incoming: Incoming) -> Incoming:
        """`/assist` from staff starts an assisted registration; `/start <token>` opens a prepared one."""
        event = incoming.event
        if not isinstance(event, Command):
            return incoming
        if event.name == "assist":
            if not await self._roster.is_staff(Person(incoming.user_id, "")):
                log.warning("refused /assist from user %s: not a member of the staff group", incoming.user_id)
                return incoming  # the assistant answers an unknown command
            case = await self._cases.start_assisted(incoming.user_id)
            await self._audit.record("assist", case.id, staff_actor(incoming.user_id), "started")
            return replace(incoming, event=StaffAction("assist"))
        if event.name == "start" and plausible(event.args):
            return replace(incoming, event=Adopted(await self._adopt(event.args, incoming)))
        return incoming

    async def after(self, incoming: Incoming, handled: Handled) -> None:
        """Carry out the help desk's part of what the assistant just did."""
        if isinstance(incoming.event, StaffAction):
            return  # staff commands do their own bookkeeping
        with _reported("after a citizen's update"):
            await self._after(incoming, handled)

    async def _after(self, incoming: Incoming, handled: Handled) -> None:
        effects, dialog = handled.effects, handled.dialog
        if Effect.ERASE in effects:
            await self._erase(incoming)
        elif Effect.HANDED_OFF in effects:
            await self._hand_off(incoming, dialog)
        elif Effect.RELAY in effects:
            await self._relay_from_citizen(incoming, dialog)
        elif Effect.PREPARED in effects:
            await self._send_link(incoming, dialog)
        elif Effect.BACK_WITH_ASSISTANT in effects:
            case = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
            if case is not None:
                await self._cases.save(case, status=Status.ASSISTANT)
                await self._say(case, CITIZEN_BACK)
                await self._audit.record("back", case.id, "citizen")
                await self._refresh(case, dialog)
        elif dialog.followed and handled.stored and dialog.step != handled.step_before:
            case = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
            if case is not None and case.status is not Status.CLOSED:
                await self._refresh(case, dialog)

    async def _erase(self, incoming: Incoming) -> None:
        """/delete: staff are told, the card and topic name lose the (masked) details, the case is forgotten."""
        case = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
        if case is None:
            return
        await self._cases.save(case, status=Status.CLOSED)
        await self._say(case, CITIZEN_ERASED, number=case.id)
        await self._refresh(case)  # the dialog is gone: nothing personal left to show
        with suppress(Rejected):
            await self._call(CloseTopic(self.chat_id, case.topic))
        await self._cases.forget(case)
        await self._audit.record("erase", case.id, "citizen")

    async def _hand_off(self, incoming: Incoming, dialog: Dialog) -> None:
        assert dialog.handoff is not None
        case = await self._cases.open(incoming.chat_id, incoming.user_id)
        reopen = case.status is Status.CLOSED and case.topic
        await self._cases.save(case, status=Status.WAITING, reason=dialog.handoff.reason,
                               since=dialog.handoff.since.timestamp(), assignee=0, assignee_name="")
        if not case.topic:
            await self._new_topic(case, dialog)
        elif reopen:
            await self._hand_back_topic(case)
        await self._post_card(case, dialog)
        actor = "citizen" if dialog.handoff.reason == "asked" else "assistant"
        await self._audit.record("handoff", case.id, actor, dialog.handoff.reason)

    async def _relay_from_citizen(self, incoming: Incoming, dialog: Dialog, again: bool = False) -> None:
        case = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
        if (case is None or case.status not in (Status.WAITING, Status.TALKING)) and dialog.handoff is not None:
            # The dialog was saved as handed off but the case never opened: its worker died in between.
            log.warning("a citizen with the help desk had no open case (%s); opening it now",
                        "none" if case is None else f"#{case.id} {case.status}")
            await self._hand_off(incoming, dialog)
            case = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
        if case is None or incoming.message_id is None:
            return
        message_id, source = incoming.message_id, f"c:{incoming.message_id}"
        if again and await self._cases.copy_of(case, source) is not None:
            return  # relayed before this delivery
        copy = await self._in_topic(case, lambda topic: CopyMessage(self.chat_id, incoming.chat_id, message_id, topic))
        if isinstance(copy, int):
            await self._cases.remember_copy(case, source, copy)

    async def redelivered(self, incoming: Incoming) -> None:
        """A citizen's update handled before, delivered again: its worker may have died between saving the
        dialog and copying the message to staff. Copied now unless it was: staff may, rarely, see a message
        twice (its first worker still copying), but never miss one."""
        with _reported("relaying a re-delivered update"):
            dialog = await self._front.store.load(self._front.dialog_key(incoming.chat_id, incoming.user_id))
            if dialog is not None and relayed(dialog, incoming.event):
                await self._relay_from_citizen(incoming, dialog, again=True)

    async def _send_link(self, incoming: Incoming, dialog: Dialog) -> None:
        """The prepared registration's one-time deep link and its QR code, to the staff member."""
        key = self._front.dialog_key(incoming.chat_id, incoming.user_id)
        url = deep_link(self._bot.username, await self._links.issue(key, dialog.language))
        caption = self._catalogs.render(LINK_READY.bind(minutes=max(1, self._link_ttl // 60), url=url), self._language)
        await self._front.delivery_call(incoming.chat_id, SendPhoto(incoming.chat_id, qr_png(url), caption))
        case = await self._cases.assisted_by(incoming.user_id)
        if case is not None:
            await self._audit.record("assist", case.id, staff_actor(incoming.user_id), "link issued")

    async def _adopt(self, token: str, incoming: Incoming) -> Dialog | None:
        """Take the prepared dialog from the staff member's chat, once; None if the link is spent or late."""
        link = await self._links.consume(token)
        if link is None:
            return None
        async with self._front.store.hold(link.dialog) as held:
            prepared = held.dialog
            if prepared is None or not prepared.assisted or prepared.step is not StepName.REVIEW:
                return None
            held.save = prepared.restarted()  # the staff member's chat is free for the next citizen
        staff_id = int(link.dialog.user)
        case = await self._cases.assisted_by(staff_id)
        if case is not None:
            await self._supersede(incoming, case)
            await self._cases.attach(case, incoming.chat_id, incoming.user_id)
            await self._audit.record("assist_opened", case.id, "citizen")
        await self._front.delivery_call(staff_id, SendMessage(staff_id, self._say_text(LINK_OPENED)))
        return prepared

    async def _supersede(self, incoming: Incoming, assisted: Case) -> None:
        """The prepared dialog replaces the citizen's: a case still open for them is closed, not left waiting."""
        previous = await self._cases.of_citizen(incoming.chat_id, incoming.user_id)
        if previous is None or previous.id == assisted.id or previous.status is Status.CLOSED:
            return
        await self._cases.save(previous, status=Status.CLOSED)
        await self._audit.record("close", previous.id, "citizen", "assisted registration opened")
        if previous.topic:
            await self._say(previous, SUPERSEDED, number=previous.id, assisted=assisted.id)
            with suppress(Rejected):
                await self._call(CloseTopic(self.chat_id, previous.topic))

    # --- the staff group ---------------------------------------------------------------------------------------

    async def on_update(self, update: Any) -> None:
        with _reported("on a staff group update"):
            await self._on_update(update)

    async def _on_update(self, update: Any) -> None:
        match read_other(update):
            case PrivateEdit() as edit:
                await self._citizen_edited(edit)
            case GroupPost(chat_id=self.chat_id) as post if await self._allowed(post.sender):
                await self._staff_post(post)
            case GroupPress(chat_id=self.chat_id) as press:
                await self._call(AnswerCallback(press.callback_id))
                if await self._allowed(press.sender):
                    await self._staff_press(press)

    async def _allowed(self, person: Person) -> bool:
        if person.id == self._bot.id:
            return False
        if await self._roster.is_staff(person):
            return True
        log.warning("refused a message from user %s in the staff group: not a member", person.id)
        return False

    async def _staff_post(self, post: GroupPost) -> None:
        case = await self._cases.of_topic(post.thread_id) if post.thread_id else None
        if case is None:
            return  # the General topic, or a topic that is not a case
        if post.edited:
            await self._staff_edited(case, post)
            return
        command = read_command(post.text) if post.text else None
        if command is None:
            await self._staff_says(case, post)
            return
        staff = post.sender
        match command.name:
            case "note":
                pass  # stays in the topic, for colleagues
            case "card":
                await self._post_card(case, await self._dialog(case))
            case "take":
                await self._join(case, staff, "take")
            case "transfer":
                await self._transfer(case, post, command.args)
            case "resume":
                await self._resume(case, staff, command.args)
            case "close":
                await self._close(case, staff)
            case "reveal":
                await self._reveal(case, staff, command.args)
            case _:
                await self._say(case, UNKNOWN_COMMAND)

    async def _staff_press(self, press: GroupPress) -> None:
        case = await self._cases.of_topic(press.thread_id) if press.thread_id else None
        if case is None or not press.data.startswith(RESUME_BUTTON):
            return
        await self._call(ClearKeyboard(self.chat_id, press.message_id))
        await self._resume(case, press.sender, press.data.removeprefix(RESUME_BUTTON))

    async def _staff_says(self, case: Case, post: GroupPost) -> None:
        staff = post.sender
        if case.status in (Status.ASSISTANT, Status.CLOSED):
            await self._say(case, NOT_TALKING)
            return
        if not case.assignee and await self._cases.claim(case, staff.id, staff.first_name):
            await self._joined(case, staff, "claim")
        if case.assignee != staff.id:
            await self._say(case, NOT_YOURS, number=case.id, name=case.assignee_name)
            return
        source = f"s:{post.message_id}"
        if not await self._cases.claim_relay(case, source):
            return  # delivered again by Telegram (a webhook answer it did not get): relayed once already
        copy = await self._to_citizen(case, CopyMessage(case.chat_id, self.chat_id, post.message_id))
        if isinstance(copy, int):
            await self._cases.remember_copy(case, source, copy)

    async def _join(self, case: Case, staff: Person, action: str) -> None:
        """/take: this staff member has the case now, whoever had it, and the citizen is with staff."""
        if case.status is Status.CLOSED:
            await self._hand_back_topic(case)
        await self._cases.save(case, status=Status.TALKING, assignee=staff.id, assignee_name=staff.first_name)
        await self._joined(case, staff, action)

    async def _joined(self, case: Case, staff: Person, action: str) -> None:
        handled = await self._staff_joins(case, staff)
        await self._say(case, TAKEN, name=staff.first_name, number=case.id)
        await self._audit.record(action, case.id, staff_actor(staff.id))
        await self._refresh(case, handled.dialog if handled else None)

    async def _staff_joins(self, case: Case, staff: Person) -> Handled | None:
        """Tell the citizen a staff member is with them (by first name only if STAFF_SHOW_NAME)."""
        name = staff.first_name if self._show_name else ""
        return await self._front.handle(self._citizen(case, StaffAction("join", name=name)))

    async def _may_act(self, case: Case, staff: Person) -> bool:
        """Commands that change the case are the assignee's; with nobody assigned, acting takes it, atomically:
        a colleague's first message may be claiming it at the same moment."""
        closed = case.status is Status.CLOSED
        if not case.assignee and await self._cases.claim(case, staff.id, staff.first_name):
            if closed:
                await self._hand_back_topic(case)
            await self._joined(case, staff, "claim")
        if case.assignee == staff.id:
            return True
        await self._say(case, ONLY_ASSIGNEE, name=case.assignee_name, number=case.id)
        return False

    async def _transfer(self, case: Case, post: GroupPost, args: str) -> None:
        if not await self._may_act(case, post.sender):
            return
        target = post.replied_to or post.mentioned
        if target is None and args.startswith("@"):
            target = await self._roster.by_username(args.split()[0])
            if target is None:
                await self._say(case, UNKNOWN_STAFF, who=args.split()[0])
                return
        if target is None or target.id in (self._bot.id, post.sender.id):
            await self._say(case, NO_TARGET)
            return
        if not await self._roster.is_staff(target):
            await self._say(case, UNKNOWN_STAFF, who=target.first_name)
            return
        old = case.assignee_name
        await self._cases.save(case, assignee=target.id, assignee_name=target.first_name, status=Status.TALKING)
        await self._staff_joins(case, target)
        await self._say(case, TRANSFERRED, number=case.id, old=old, new=target.first_name)
        await self._audit.record("transfer", case.id, staff_actor(post.sender.id), staff_actor(target.id))
        await self._refresh(case)

    async def _resume(self, case: Case, staff: Person, args: str) -> None:
        if not await self._may_act(case, staff):
            return
        dialog = await self._dialog(case)
        if dialog is None:
            await self._say(case, CARD["gone"])
            return
        choices = resumable(dialog)
        step = self._step_named(args)
        if step not in choices:
            buttons = tuple((CallbackButton(self._say_text(STEP_LABELS[choice]), RESUME_BUTTON + choice),)
                            for choice in choices)
            await self._say(case, CANNOT_RESUME if args else CHOOSE_STEP, markup=InlineKeyboard(buttons))
            return
        assert step is not None
        handled = await self._front.handle(self._citizen(case, StaffAction("resume", step=step)))
        if handled is None or handled.dialog.step is not step:
            await self._say(case, CANNOT_RESUME)
            return
        await self._cases.save(case, status=Status.ASSISTANT)
        await self._say(case, RESUMED, name=staff.first_name, step=self._say_text(STEP_LABELS[step]))
        await self._audit.record("resume", case.id, staff_actor(staff.id), step)
        await self._refresh(case, handled.dialog)

    async def _close(self, case: Case, staff: Person) -> None:
        if case.status is Status.CLOSED or not await self._may_act(case, staff):
            return
        handled = await self._front.handle(self._citizen(case, StaffAction("close")))
        await self._cases.save(case, status=Status.CLOSED)
        await self._say(case, CLOSED_NOTE, number=case.id, name=staff.first_name)
        await self._audit.record("close", case.id, staff_actor(staff.id))
        await self._refresh(case, handled.dialog if handled else None)
        try:
            await self._call(CloseTopic(self.chat_id, case.topic))
        except Rejected as error:
            log.info("case %s: topic not closed: %s", case.id, error)

    async def _reveal(self, case: Case, staff: Person, args: str) -> None:
        """One field, whole, in the assignee's private chat with the bot; recorded in the topic and the audit."""
        if not await self._may_act(case, staff):
            return
        field = REVEALABLE.get(args.strip().lower())
        if field is None:
            await self._say(case, REVEAL_FIELDS)
            return
        dialog = await self._dialog(case)
        value = getattr(dialog.data, field) if dialog is not None else None
        label = self._say_text(CARD[field]).lower()
        if not value:
            await self._say(case, REVEAL_EMPTY, field=label)
            return
        shown = national_phone(value) if field == "phone" else \
            f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value)
        private = self._say_text(REVEAL_PRIVATE.bind(number=case.id, field=label, value=shown))
        try:
            await self._front.delivery_call(staff.id, SendMessage(staff.id, private))
        except (Blocked, Rejected):
            await self._say(case, OPEN_PRIVATE_CHAT)
            return
        await self._audit.record("reveal", case.id, staff_actor(staff.id), field)
        await self._say(case, REVEALED, name=staff.first_name, field=label, number=case.id)

    async def _staff_edited(self, case: Case, post: GroupPost) -> None:
        copy = await self._cases.copy_of(case, f"s:{post.message_id}")
        if copy is not None and post.text and case.assignee == post.sender.id:
            await self._to_citizen(case, EditText(case.chat_id, copy, post.text))

    async def _citizen_edited(self, edit: PrivateEdit) -> None:
        case = await self._cases.of_citizen(edit.chat_id, edit.user_id)
        if case is None or case.status not in (Status.WAITING, Status.TALKING):
            return
        copy = await self._cases.copy_of(case, f"c:{edit.message_id}")
        dialog = await self._dialog(case)
        if copy is not None and dialog is not None and not looks_secret(dialog, edit.text):
            await self._in_topic(case, lambda topic: EditText(self.chat_id, copy, edit.text))

    # --- the topic and its card --------------------------------------------------------------------------------

    async def _new_topic(self, case: Case, dialog: Dialog | None) -> None:
        name = topic_name(case, dialog)
        topic = await self._call(CreateTopic(self.chat_id, name))
        assert isinstance(topic, int)
        await self._cases.save(case, topic=topic, topic_name=name, card=0, card_text="")

    async def _hand_back_topic(self, case: Case) -> None:
        with suppress(Rejected):  # open already, or gone: the next post re-creates it
            await self._call(ReopenTopic(self.chat_id, case.topic))

    async def _post_card(self, case: Case, dialog: Dialog | None) -> None:
        """The card, first in a topic made anew when the case's is gone (not `_in_topic`: that would post two)."""
        text = card_text(case, dialog, self._catalogs, self._language)
        card: Result = None
        if case.topic:
            with suppress(TopicGone):
                card = await self._call(SendMessage(self.chat_id, text, thread_id=case.topic))
        if card is None:
            await self._new_topic(case, dialog)
            card = await self._call(SendMessage(self.chat_id, text, thread_id=case.topic))
        if isinstance(card, int):
            await self._cases.save(case, card=card, card_text=text)

    async def _refresh(self, case: Case, dialog: Dialog | None = None) -> None:
        """Keep the card (and the topic's name) true to the case, editing only what changed."""
        dialog = dialog or await self._dialog(case)
        name = topic_name(case, dialog)
        if case.topic and name != case.topic_name:
            try:
                await self._call(EditTopic(self.chat_id, case.topic, name))
                await self._cases.save(case, topic_name=name)
            except Rejected as error:
                log.info("case %s: topic not renamed: %s", case.id, error)
        text = card_text(case, dialog, self._catalogs, self._language)
        if text == case.card_text:
            return
        if not case.card:
            await self._post_card(case, dialog)
            return
        try:
            await self._call(EditText(self.chat_id, case.card, text))
            await self._cases.save(case, card_text=text)
        except TopicGone:
            if case.status is not Status.CLOSED:  # a closed case's deleted topic is not brought back for its card
                await self._renew_topic(case)  # with a new card
        except Rejected:  # the card was deleted
            await self._post_card(case, dialog)

    async def _in_topic(self, case: Case, make: Callable[[int], Action]) -> Result:
        """Make a call in the case's topic; if the topic was deleted or closed, open a new one and try again."""
        if case.topic:
            try:
                return await self._call(make(case.topic))
            except TopicGone:
                log.info("case %s: topic %s is gone; opening a new one", case.id, case.topic)
        await self._renew_topic(case)
        return await self._call(make(case.topic))

    async def _renew_topic(self, case: Case) -> None:
        dialog = await self._dialog(case)
        await self._new_topic(case, dialog)
        await self._post_card(case, dialog)

    async def _say(self, case: Case, text: Text, markup: InlineKeyboard | None = None, **params: Param) -> None:
        message = self._say_text(text.bind(**params))
        await self._in_topic(case, lambda topic: SendMessage(self.chat_id, message, markup, topic))

    # --- small helpers -----------------------------------------------------------------------------------------

    def _say_text(self, text: Text) -> str:
        return self._catalogs.render(text, self._language)

    def _citizen(self, case: Case, action: StaffAction) -> Incoming:
        return Incoming(None, case.chat_id, case.user_id, None, action)

    async def _dialog(self, case: Case) -> Dialog | None:
        return await self._front.store.load(self._front.dialog_key(case.chat_id, case.user_id))

    def _step_named(self, name: str) -> StepName | None:
        """A step by its id ("birth_date") or its label in either language ("ngày sinh")."""
        wanted = fold(name)
        for step, label in STEP_LABELS.items():
            if wanted in {fold(step.value), *(fold(shown) for shown in self._catalogs.labels(label))}:
                return step
        return None

    async def _call(self, action: Action) -> Result:
        return await self._front.delivery_call(self.chat_id, action)

    async def _to_citizen(self, case: Case, action: Action) -> Result:
        try:
            return await self._front.send(case.chat_id, action)
        except (Blocked, Rejected) as error:
            log.info("case %s: not delivered to the citizen: %s", case.id, error)
            return None

    async def _member_status(self, user_id: int) -> Result:
        return await self._call(GetMemberStatus(self.chat_id, user_id))


@contextmanager
def _reported(when: str) -> Iterator[None]:
    """A Bot API call the help desk could not make is logged; it never stops the citizen's dialog."""
    try:
        yield
    except (Blocked, Rejected, Transient) as error:
        log.warning("help desk: a call failed %s: %s", when, error)
