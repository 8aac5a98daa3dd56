"""The privacy promise, end to end: after a registration and a help-desk case, nothing personal is left in clear.

A real `regbot run` with JSON logs at DEBUG (the most the product writes)
and a help desk serves two citizens: Hạnh registers from /start to her
password; Phúc asks for a person, tells staff his birth date, phone and
email (and types his password there by mistake), is handed back to the
assistant and registers too. Every key in the bot's Redis is searched
while both wait at the password step, their dialogs holding every detail,
and again at the end; so is everything the process logged. The search is
for their ID numbers, names (composed, decomposed, without tone marks),
birth dates, phones and emails, their passwords, and the secrets the
process is given (the bot token, the encryption key): none may be there.
What staff read is not searched: passing the citizen's words to the staff
group is the help desk's job. The passwords, though, must be in nothing
the bot sent to anyone. Then what goes wrong: a broken dialog document, a
failing portal and a crashing step, each answered, none logged by value.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from redis.asyncio import Redis

from bot.storage import DialogCodec, DialogKey, load_keys
from conversations.dialog import Dialog, StepName
from tests.botprocess import BOTH, TOKEN, BotFactory, BotProcess
from tests.citizen import Particulars, Sandbox, stored_values
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.forged import invalid_values
from tests.telegram.test_help_desk import Desk, desk
from tests.telegram.test_redis_faults import stored_bytes
from tests.telegram.test_telegram_bot import answer_until_review, start_registration
from tests.webapp.conftest import choose_password

pytestmark = BOTH  # the libraries log differently: python-telegram-bot's debug lines hold whole updates

__all__ = ["desk"]

HANH = Particulars("079193004567", "Trần Thị Ngọc Hạnh", "17/08/1993", "0913572468", "ngochanh.tran93@yahoo.com.vn")
PHUC = Particulars("048087001357", "Lê Hoàng Phúc", "23/11/1987", "0386420975", "phuc.lehoang87@outlook.com")
PASSWORDS = {HANH: "Ve-Sau#7319qz", PHUC: "Gio-Lao#5182vk"}

Wanted = dict[str, set[str]]  # what must not be found → every form it may be written in


def written(text: str) -> set[str]:
    """`text` as code may write it: composed (NFC) or decomposed (NFD), as is or escaped in JSON."""
    forms = {unicodedata.normalize(form, text) for form in ("NFC", "NFD")}
    return forms | {json.dumps(form)[1:-1] for form in forms}


def without_tone_marks(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in plain if not unicodedata.combining(char))


def personal_data(citizen: Particulars) -> Wanted:
    born = datetime.strptime(citizen.birth, "%d/%m/%Y").date()
    who = citizen.full_name.split()[-1]
    return {
        f"{who}'s ID number": {citizen.id_number},
        f"{who}'s full name": written(citizen.full_name) | written(without_tone_marks(citizen.full_name)),
        f"{who}'s birth date": {f"{born:%d/%m/%Y}", born.isoformat()},
        f"{who}'s phone": {citizen.phone, citizen.phone_e164, citizen.phone_e164.removeprefix("+")},
        f"{who}'s email": written(citizen.email),
    }


def passwords() -> Wanted:
    return {f"{citizen.full_name.split()[-1]}'s password": written(password) | {quote(password, safe="")}
            for citizen, password in PASSWORDS.items()}


def configured_secrets(bot: BotProcess) -> Wanted:
    key = bot.env["DIALOG_ENCRYPTION_KEY"]
    return {"the bot token": {TOKEN, quote(TOKEN, safe="")}, "the encryption key": {key, quote(key, safe="")}}


def found_in(text: str, wanted: Wanted) -> list[str]:
    """What `text` contains of `wanted`, in any of its forms, in any case."""
    folded = text.casefold()
    return [what for what, forms in wanted.items() if any(form.casefold() in folded for form in forms)]


async def submit_until_password(citizen: TelegramCitizen, answers: Particulars, sandbox: Sandbox) -> None:
    """From the review: "Đăng ký", then the SMS code; the dialog now holds every detail, waiting for a password."""
    await citizen.press("Đăng ký")
    await citizen.wait_for_reply("Bước 7/8")
    await citizen.send_text(await sandbox.last_code(answers.phone_e164))
    await citizen.wait_for_reply("Bước 8/8")


async def register_until_password(citizen: TelegramCitizen, answers: Particulars, sandbox: Sandbox) -> None:
    await start_registration(citizen)
    await answer_until_review(citizen, answers)
    await submit_until_password(citizen, answers, sandbox)


async def helped_until_password(citizen: TelegramCitizen, answers: Particulars, desk: Desk, sandbox: Sandbox) -> None:
    """Stuck after the name: a person helps, reading the rest of the citizen's details, then hands back."""
    await start_registration(citizen)
    for answer, step in ((answers.id_number, "Bước 2/8"), (answers.full_name, "Bước 3/8")):
        await citizen.send_text(answer)
        await citizen.wait_for_reply(step)
    await citizen.send_command("/human")
    await citizen.wait_for_reply("cán bộ")
    topic = await desk.group.wait_for_topic("L. H. Phúc")
    told = f"Tôi sinh ngày {answers.birth}, số điện thoại {answers.phone}, email {answers.email}"
    await citizen.send_text(told)
    await desk.minh.wait_for_post(topic, told)  # for staff to read, by design
    await citizen.send_text(PASSWORDS[answers])  # typed to staff by mistake: withheld, deleted
    await citizen.wait_for_reply("không chuyển tin đó")
    await desk.minh.send_text(topic, f"Chào anh Phúc, em đã ghi nhận số {answers.phone}, sinh ngày {answers.birth}.")
    await citizen.wait_for_reply("em đã ghi nhận")
    await desk.minh.send_command(topic, "/reveal id")
    await desk.minh.private.wait_for_reply(answers.id_number)
    await desk.minh.send_command(topic, "/resume")
    await desk.minh.press("ngày sinh", topic)
    await citizen.wait_for_reply("quay lại với trợ lý")
    for answer, step in ((answers.birth, "Bước 4/8"), (answers.phone, "Bước 5/8"), (answers.email, "Bước 6/8")):
        await citizen.send_text(answer)
        await citizen.wait_for_reply(step)
    await submit_until_password(citizen, answers, sandbox)


async def set_password(citizen: TelegramCitizen, answers: Particulars) -> None:
    await choose_password(citizen, PASSWORDS[answers])
    await citizen.wait_for_reply("đã sẵn sàng")


async def kept_in_clear(redis: Redis, secrets: Wanted) -> dict[bytes, list[str]]:
    """The keys whose name or content holds any of `secrets`, searched in every key of every type.

    The sandbox portal, which holds the accounts by design, keeps them in its own memory
    (bot/portal/sandbox_state.py), so no key is set aside; nor is the polling inbox, which holds each
    update, as the citizen wrote it, while it is handled.
    """
    stored = await stored_values(redis)
    assert sum(key.endswith(b":dialog") for key in stored) == 2  # both dialogs are there to be searched
    return {key: found for key, values in stored.items()
            if (found := found_in(b"\n".join([key, *values]).decode(errors="replace"), secrets))}


async def test_no_personal_data_or_password_in_logs_or_redis_after_a_registration_and_a_help_desk_case(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, desk: Desk, redis: Redis,
) -> None:
    bot = await start_bot(env=desk.env(LOG_FORMAT="json", LOG_LEVEL="DEBUG"))
    secrets = {**personal_data(HANH), **personal_data(PHUC), **passwords(), **configured_secrets(bot)}
    hanh, phuc = TelegramCitizen(fake_api, user_id=6001), TelegramCitizen(fake_api, user_id=6002)
    await register_until_password(hanh, HANH, sandbox)
    await helped_until_password(phuc, PHUC, desk, sandbox)
    assert await kept_in_clear(redis, secrets) == {}  # both dialogs hold every detail now: sealed
    await set_password(hanh, HANH)
    await set_password(phuc, PHUC)
    await bot.stop()  # every record written
    assert await kept_in_clear(redis, secrets) == {}

    logged = [line for line in (await bot.output()).splitlines() if line.strip()]
    assert any("moved" in json.loads(line)["message"] for line in logged)  # the flow was logged, as JSON
    assert {line: found for line in logged if (found := found_in(line, secrets))} == {}

    sent = json.dumps([call.params for call in fake_api.calls] + fake_api.sent, ensure_ascii=False)
    assert found_in(sent, passwords()) == []  # in no message, edit, copy, caption or button, to anyone


CRASHED = "Đã có lỗi từ phía chúng tôi"  # "something went wrong on our side": the answer to a failed update
RESTARTED = "không đọc được các câu trả lời trước đó"  # "could not read your earlier answers"
PORTAL_DOWN = "Cổng dịch vụ công hiện không phản hồi"


async def test_no_personal_data_in_logs_when_a_dialog_is_broken_the_portal_fails_and_a_step_crashes(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox, redis: Redis,
) -> None:
    """What goes wrong writes errors to the log, and errors quote what they failed on: a dialog whose values
    fail validation (pydantic quotes them), a portal answering 503, a step crashing on a dialog a buggy
    release left inconsistent (its `ValueError` quotes the 'phone', here the citizen's name). Each citizen
    is answered; the log says what failed by type and reference, and holds none of their details."""
    bot = await start_bot(env={"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"})
    keys = load_keys(bot.env["DIALOG_ENCRYPTION_KEY"], Path())
    secrets = {**personal_data(HANH), **personal_data(PHUC), **configured_secrets(bot)}
    hanh, phuc, third = (TelegramCitizen(fake_api, user_id=user) for user in (6101, 6102, 6103))

    # Hạnh's document opens with the bot's key, but its values are not what the schema says.
    await redis.set(dialog_of(fake_api, hanh).dialog, invalid_values(keys, {
        "id_number": int(HANH.id_number), "full_name": [HANH.full_name], "birth_date": HANH.birth,
        "phone": {"number": HANH.phone}, "email": [HANH.email]}, step="review"))
    await hanh.send_command("/start")
    await hanh.wait_for_reply(RESTARTED)  # told, and started afresh
    await hanh.wait_for_reply("Tôi đồng ý")
    replaced = DialogCodec(keys).decode(await stored_bytes(bot.env["REDIS_URL"], fake_api, hanh))
    assert replaced.step is StepName.CONSENT  # the broken document is gone

    # Phúc reaches the review; the portal answers every submit with a 503.
    await start_registration(phuc)
    await answer_until_review(phuc, PHUC)
    await sandbox.arm_fault(operation="submit", status=503, times=3)
    await phuc.press("Đăng ký")
    await phuc.wait_for_reply(PORTAL_DOWN)

    # A dialog at the review with the name where the phone belongs: showing the summary raises.
    inconsistent = Dialog(step=StepName.REVIEW).with_data(
        id_number=HANH.id_number, full_name=HANH.full_name, birth_date=date(1993, 8, 17), phone=HANH.full_name)
    await redis.set(dialog_of(fake_api, third).dialog, DialogCodec(keys).encode(inconsistent))
    await third.send_command("/status")
    await third.wait_for_reply(CRASHED)  # not silence

    await bot.stop()
    logged = [line for line in (await bot.output()).splitlines() if line.strip()]
    messages = "\n".join(json.loads(line)["message"] for line in logged)
    assert "unreadable (" in messages and "ValueError (ref " in messages  # each failure is in the log...
    assert {line: found for line in logged if (found := found_in(line, secrets))} == {}  # ...by type only


def dialog_of(fake_api: FakeBotAPI, citizen: TelegramCitizen) -> DialogKey:
    return DialogKey(str(fake_api.bot_id), str(citizen.chat_id), str(citizen.user_id))
