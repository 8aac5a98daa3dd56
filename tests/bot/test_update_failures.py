"""An update whose handling fails unexpectedly is still answered, counted, and logged without what it carried.

In process over the switchboard, with the real assistant and store (the session's Redis): a portal
client with a bug (it raises what no portal failure raises), a dialog that makes a step crash, a help
desk that fails after the answer went out. Each time the citizen gets a short answer in their language
saying their progress is kept, `regbot_update_failures_total` counts it, and the log names the error's
type and a reference: never its message, which here quotes the citizen's name.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from redis.asyncio import Redis

from bot.core.answer import Handled
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.switchboard import Switchboard
from bot.core.texts import UPDATE_FAILED
from bot.ops.metrics import UPDATE_FAILURES
from bot.storage import DialogCodec, DialogKey, DialogStore
from conversations.dialog import Dialog, StepName
from conversations.events import Command, Pressed, Said
from conversations.portal import AccountCreated, OtpSent, OtpVerified, PortalRefusal, Registration
from tests.channels import TextChannel
from tests.citizen import ID_NUMBER
from tests.clock import ManualClock

NAME = "Trần Thị Ngọc Hạnh"
KEY = DialogKey("test", "7001", "7001")
SOMETHING_WENT_WRONG = "Đã có lỗi từ phía chúng tôi"


class BuggyPortal:
    """A portal client with a bug: every call raises an error that quotes the citizen."""

    async def account_exists(self, id_number: str) -> bool:
        raise RuntimeError(f"portal client bug while checking {id_number} for {NAME}")

    async def submit(self, registration: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        raise RuntimeError(f"portal client bug submitting {registration}")

    async def resend_otp(self, registration_id: str) -> OtpSent | PortalRefusal:
        raise RuntimeError("portal client bug")

    async def verify_otp(self, registration_id: str, code: str) -> OtpVerified | PortalRefusal:
        raise RuntimeError("portal client bug")

    async def set_password(self, registration_id: str, password: str) -> AccountCreated | PortalRefusal:
        raise RuntimeError("portal client bug")


class FailingDesk:
    """A help desk whose part after the assistant fails (a bug in it): the citizen already has their answer."""

    async def translate(self, incoming: Incoming) -> Incoming:
        return incoming

    async def after(self, incoming: Incoming, handled: Handled) -> None:
        raise KeyError(NAME)

    async def redelivered(self, incoming: Incoming) -> None:
        pass


def failures(kind: str) -> float:
    return UPDATE_FAILURES.labels(kind)._value.get()


async def until_id_number(switchboard: Switchboard) -> None:
    for event in (Command("start"), Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile")):
        await switchboard.handle(Incoming(KEY, event, "vi"))


def switchboard_with(assistant: Assistant, catalogs: Catalogs, channel: TextChannel, desk: FailingDesk | None = None,
                     ) -> Switchboard:
    return Switchboard(assistant, catalogs, {KEY.bot: channel}, desk=desk)


@pytest.fixture(autouse=True)
async def fresh(redis: Redis) -> None:
    await redis.flushall()


async def test_a_failing_portal_client_gets_the_citizen_a_localised_answer_and_counts_as_a_failure(
    store: DialogStore, catalogs: Catalogs, clock: ManualClock, caplog: pytest.LogCaptureFixture,
) -> None:
    channel = TextChannel()
    switchboard = switchboard_with(Assistant(store, BuggyPortal(), catalogs, clock), catalogs, channel)
    await until_id_number(switchboard)
    before = failures("text")
    caplog.set_level(logging.DEBUG)

    handled = await switchboard.handle(Incoming(KEY, Said(ID_NUMBER), "vi", event_id="90"))  # raised before

    assert handled is None
    told = channel.said[-1]
    assert told.startswith(SOMETHING_WENT_WRONG) and "vẫn được giữ lại" in told  # "your progress is kept"
    assert failures("text") == before + 1
    dialog = await store.load(KEY)
    assert dialog is not None and dialog.step is StepName.ID_NUMBER  # nothing lost: the question stands
    logged = "\n".join(record.getMessage() for record in caplog.records)
    ref = told.rsplit(" ", 1)[-1].rstrip(")")
    assert f"RuntimeError (ref {ref})" in logged  # the line the citizen's reference finds
    assert NAME not in logged and ID_NUMBER not in logged and "portal client bug" not in logged
    assert not any(record.exc_info or record.exc_text for record in caplog.records)  # no traceback to quote it


async def test_an_english_speaker_is_told_in_english(
    store: DialogStore, catalogs: Catalogs, clock: ManualClock,
) -> None:
    channel = TextChannel()
    switchboard = switchboard_with(Assistant(store, BuggyPortal(), catalogs, clock), catalogs, channel)
    await until_id_number(switchboard)
    await switchboard.handle(Incoming(KEY, Said(ID_NUMBER), "en"))
    assert channel.said[-1].startswith(catalogs.render(UPDATE_FAILED.bind(ref="x"), "en").split(" (")[0])


async def test_a_step_that_crashes_on_a_stored_dialog_is_answered_not_silent(
    redis: Redis, store: DialogStore, codec: DialogCodec, catalogs: Catalogs, clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A dialog a buggy release left inconsistent (the name where the phone should be) crashes the review's
    summary with a `ValueError` quoting the 'phone'; the citizen hears back all the same."""
    broken = Dialog(step=StepName.REVIEW).with_data(
        id_number=ID_NUMBER, full_name=NAME, birth_date=date(1993, 8, 17), phone=NAME)
    await redis.set(KEY.dialog, codec.encode(broken))
    channel = TextChannel()
    switchboard = switchboard_with(Assistant(store, BuggyPortal(), catalogs, clock), catalogs, channel)
    before = failures("command")
    caplog.set_level(logging.DEBUG)
    await switchboard.handle(Incoming(KEY, Command("status"), "vi"))
    assert channel.said and channel.said[-1].startswith(SOMETHING_WENT_WRONG)
    assert failures("command") == before + 1
    assert NAME not in caplog.text


async def test_a_help_desk_failing_after_the_answer_is_logged_and_counted_without_a_second_answer(
    store: DialogStore, portal: object, catalogs: Catalogs, clock: ManualClock, caplog: pytest.LogCaptureFixture,
) -> None:
    channel = TextChannel()
    assistant = Assistant(store, portal, catalogs, clock)  # type: ignore[arg-type]
    switchboard = switchboard_with(assistant, catalogs, channel, desk=FailingDesk())
    before = failures("command")
    handled = await switchboard.handle(Incoming(KEY, Command("start"), "vi"))
    assert handled is not None  # the citizen was answered, the dialog saved
    assert not any(SOMETHING_WENT_WRONG in said for said in channel.said)
    assert failures("command") == before + 1
    assert "KeyError (ref " in caplog.text and NAME not in caplog.text
