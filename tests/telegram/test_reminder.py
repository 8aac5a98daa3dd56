"""The idle reminder as a citizen meets it: once per idle spell, from one of several workers, never after the end."""

from __future__ import annotations

from tests.botprocess import ON_PTB, BotFactory
from tests.citizen import ID_NUMBER, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import register_until_otp, start_registration

pytestmark = ON_PTB

IDLE = {"REMINDER_AFTER": "1"}  # idle dialogs are swept for every 0.25 s


async def later_idle_spell(api: FakeBotAPI, user_id: int) -> None:
    """Another citizen stops halfway now and is reminded: at least REMINDER_AFTER (four sweeps) later, so
    whatever a sweep would still have done to the dialogs idle before has been done."""
    sentinel = TelegramCitizen(api, user_id=user_id)
    await start_registration(sentinel)
    await sentinel.wait_for_reply("chưa hoàn tất đăng ký", timeout=15)


def reminders(citizen: TelegramCitizen) -> list[dict[str, object]]:
    return [m for m in citizen.sent_to_me() if "chưa hoàn tất đăng ký" in str(m.get("text"))]


async def test_a_citizen_who_stops_is_reminded_once_by_one_of_two_workers(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    first = await start_bot(env=IDLE, webhook=True)
    second = await start_bot(env=IDLE, webhook=True)  # a second worker on the same Redis, sweeping too
    citizen = TelegramCitizen(fake_api, user_id=1201)
    await start_registration(citizen)
    await citizen.send_text(ID_NUMBER)
    await citizen.wait_for_reply("Bước 2/8")

    nudge = await citizen.wait_for_reply("chưa hoàn tất đăng ký", timeout=15)
    assert "Bước 2/8" in str(nudge["text"])
    await later_idle_spell(fake_api, 1299)  # four more sweeps at least: still only the one reminder
    assert len(reminders(citizen)) == 1

    await citizen.press("Tiếp tục")  # back to the question, answers kept
    await citizen.wait_for_reply("Bước 2/8")
    await citizen.wait_for_reply("chưa hoàn tất đăng ký", timeout=15)  # a new idle spell, a new reminder
    assert len(reminders(citizen)) == 2
    assert first.process and second.process and (first.process.returncode, second.process.returncode) == (None, None)
    assert "reminded" in await first.output() + await second.output()


async def test_no_reminder_before_consent_or_after_a_delete(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    await start_bot(env=IDLE)
    undecided = TelegramCitizen(fake_api, user_id=1202)
    await undecided.send_command("/start")
    await undecided.wait_for_reply("Tôi đồng ý")
    waiting = TelegramCitizen(fake_api, user_id=1203)
    await register_until_otp(waiting)

    await waiting.wait_for_reply("chưa hoàn tất đăng ký", timeout=15)  # waiting for the code is halfway too
    await waiting.press("Xóa dữ liệu của tôi")
    await waiting.wait_for_reply("Tôi đã xóa")
    await later_idle_spell(fake_api, 1299)  # idle since after the others: any reminder of theirs is out by now
    assert reminders(undecided) == []
    assert len(reminders(waiting)) == 1
