"""At every step, whatever a citizen sends: nothing escapes, a refusal stores nothing, every answer is localised.

Each situation (every step of the flow, plus an ID awaiting confirmation,
a field edited from the review, a dialog with the help desk and one staff
prepare at a counter) is reached once per language by right answers and
snapshotted; then each case restores the snapshot, sends one hostile event
through the real `Switchboard.handle` and the Telegram replies (the path both
frameworks' updates take: the assistant, the Redis store with its lock, the registration quota,
the sandbox portal over HTTP) and checks what the citizen got and what
Redis holds.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from redis.asyncio import Redis

from bot.channels.telegram.updates import Origin
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.pseudonyms import Pseudonyms
from bot.core.registration_quota import RedisRegistrationQuota, RegistrationLimits
from bot.core.switchboard import Switchboard
from bot.portal.client import PortalClient
from bot.storage import DialogKey, DialogStore
from conversations.commands import GLOBAL_BUTTONS, run_command
from conversations.dialog import LANGUAGES, Dialog, Language, StepName
from conversations.engine import MAX_TEXT_LENGTH
from conversations.events import (
    Command,
    Event,
    PasswordChosen,
    Pressed,
    Said,
    SharedContact,
    StaffAction,
    Unsupported,
    read_text,
)
from conversations.replies import Effect
from conversations.step import Context
from conversations.steps import STEPS
from tests.citizen import BIRTH, EMAIL, NAME, PASSWORD, Citizen, Sandbox
from tests.clock import ManualClock
from tests.fuzz.checks import assert_sent_in_language
from tests.fuzz.conftest import FUZZ, RecordingBot, telegram
from tests.fuzz.hostile import events
from tests.fuzz.localised import LocalisedText

BOT_ID = 4242
# Each language's citizen has their own ID and phone, so both can reach every step (one account per ID).
PEOPLE: dict[Language, tuple[int, str, str]] = {"vi": (1001, "001090012345", "0821234088"),
                                                "en": (1002, "079190000001", "0912345678")}
SITUATIONS = [*StepName, "id_doubt", "editing", "with_staff", "assisted"]
UNKNOWN_PROVINCE_ID = "003090012345"  # 003 is no province: the ID is taken with a doubt to confirm


@dataclass(frozen=True, slots=True)
class Snapshot:
    key: DialogKey
    chat_id: int
    raw: bytes
    dialog: Dialog
    offered: frozenset[str]  # button data the citizen was shown (a press of anything else is forged)
    question: str  # how the current question ends, as a refusal repeats it ("" with the help desk)


@dataclass(slots=True)
class Scene:
    switchboard: Switchboard
    bot: RecordingBot
    redis: Redis
    store: DialogStore
    snapshots: dict[Language, Snapshot]
    update_ids: itertools.count[int]


async def reach(citizen: Citizen, situation: str, language: Language, id_number: str, phone: str,
                staff_side: Assistant) -> None:
    """Answer rightly until `situation`; the help-desk assistant hands off and prepares at a counter."""
    if situation == "assisted":
        await staff_side.handle(citizen.key, StaffAction("assist"), language)
    else:
        await citizen.start(language)
    answers: list[str | Event] = [Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
                                  id_number, NAME, BIRTH, phone, EMAIL, Pressed("review:submit")]
    target = {"id_doubt": StepName.ID_NUMBER, "editing": StepName.REVIEW, "with_staff": StepName.PHONE,
              "assisted": StepName.REVIEW}.get(situation, situation)
    for answer in answers:
        if await citizen.step() == target:
            break
        await citizen.send(answer)
    if target in (StepName.PASSWORD, StepName.DONE):
        await citizen.send(await citizen.sandbox.last_code("+84" + phone[1:]))
    if target is StepName.DONE:
        await citizen.send(PasswordChosen(PASSWORD, PASSWORD))
    match situation:
        case "id_doubt":
            await citizen.send(UNKNOWN_PROVINCE_ID)
        case "editing":
            await citizen.press("review:edit_phone")
        case "with_staff":
            await staff_side.handle(citizen.key, Command("human"))
    dialog = await citizen.dialog()
    lands = StepName.PHONE if situation == "editing" else target
    assert dialog is not None and dialog.step == lands, (situation, dialog.step if dialog else None)


def offered(dialog: Dialog, catalogs: Catalogs, clock: ManualClock) -> frozenset[str]:
    """What the citizen can press: the question's buttons, /help's extra one, and the language buttons."""
    if dialog.handoff is not None:
        return frozenset(GLOBAL_BUTTONS)
    context = Context(now=clock(), portal=None, labels=catalogs.labels)  # type: ignore[arg-type]  # asks only
    shown = [*STEPS[dialog.step].ask(dialog, context).buttons,
             *run_command(dialog, Command("help"), context).replies[0].buttons]
    return frozenset({button.id for row in shown for button in row} | set(GLOBAL_BUTTONS))


@pytest.fixture(params=SITUATIONS)
async def scene(
    request: pytest.FixtureRequest, redis: Redis, store: DialogStore, portal: PortalClient, sandbox: Sandbox,
    catalogs: Catalogs, clock: ManualClock,
) -> AsyncIterator[Scene]:
    quota = RedisRegistrationQuota(redis, Pseudonyms(b"fuzz"), RegistrationLimits())
    assistant = Assistant(store, portal, catalogs, clock, quota=quota.for_dialog)
    staff_side = Assistant(store, portal, catalogs, clock, help_desk=True)
    bot = RecordingBot()
    _front, switchboard = telegram(assistant, catalogs, redis, BOT_ID, bot)
    snapshots = {}
    for language, (user, id_number, phone) in PEOPLE.items():
        citizen = Citizen(assistant, sandbox, user=str(user))
        citizen.key = DialogKey(str(BOT_ID), str(user), str(user))
        await reach(citizen, request.param, language, id_number, phone, staff_side)
        raw = await redis.get(citizen.key.dialog)
        dialog = await citizen.dialog()
        assert raw is not None and dialog is not None
        refused = await assistant.handle(citizen.key, Unsupported("sticker"))
        question = "" if dialog.handoff else refused.replies[-1].paragraphs[-1]
        snapshots[language] = Snapshot(citizen.key, user, raw, dialog, offered(dialog, catalogs, clock), question)
    yield Scene(switchboard, bot, redis, store, snapshots, itertools.count(1))


def must_be_refused(event: Event, snapshot: Snapshot) -> bool:
    """Events no step can take: these must leave the stored dialog exactly as it was."""
    match event:
        case Pressed(button=button):
            return button not in snapshot.offered
        case Unsupported() | SharedContact(own=False):
            return True
        case Said(text=text):
            return len(text) > MAX_TEXT_LENGTH or not text.strip()
        case Command(name=name):
            return name not in ("start", "back", "cancel", "help", "language", "lang", "human", "status", "delete")
        case PasswordChosen():
            return snapshot.dialog.step is not StepName.PASSWORD or snapshot.dialog.handoff is not None
    return False


@FUZZ
@given(language=st.sampled_from(LANGUAGES), event=events())
@example(language="vi", event=read_text("/cancel\n\nsomething"))  # the newline stayed in the command's name
@example(language="en", event=read_text("/\u202estart x"))  # echoed, the override turned the reply around
async def test_any_event_at_any_step(
    scene: Scene, localised: LocalisedText, language: Language, event: Event,
) -> None:
    snapshot = scene.snapshots[language]
    await scene.redis.set(snapshot.key.dialog, snapshot.raw)
    scene.bot.calls.clear()
    pressed = isinstance(event, Pressed)
    origin = Origin(snapshot.chat_id, 500, callback_id="cb" if pressed else None,
                    keyboard_message_id=400 if pressed else None)
    incoming = Incoming(snapshot.key, event, event_id=str(next(scene.update_ids)), origin=origin)

    handled = await scene.switchboard.handle(incoming)

    assert handled is not None, "not handled: it raised (the log names it) or was taken for a re-delivery"
    stored = await scene.store.load(snapshot.key)
    if Effect.ERASE in handled.effects:
        assert stored is None, "/delete left the dialog in Redis"
    elif not handled.stored:
        assert stored == snapshot.dialog, "a refusal changed the stored dialog"
    else:
        assert stored == handled.dialog
    if must_be_refused(event, snapshot):
        assert not handled.stored, f"{event!r} was taken at {snapshot.dialog.step}"
        if snapshot.question:
            assert handled.replies[-1].text.endswith(snapshot.question), "a refusal did not ask the same question"
    answered = handled.replies or Effect.RELAY in handled.effects
    assert answered, "the citizen got no answer"
    assert_sent_in_language(scene.bot.calls, handled.dialog.language, localised)
