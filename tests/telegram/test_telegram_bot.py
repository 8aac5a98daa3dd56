"""`regbot run` as a citizen meets it in Telegram, on each framework: real process, fake Bot API, real Redis."""

from __future__ import annotations

import asyncio
import re

from redis.asyncio import Redis

from bot.storage import DialogKey
from tests.botprocess import BOTH, ON_AIOGRAM, ON_PTB, BotFactory
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164, SAMPLE, Particulars, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI

pytestmark = ON_PTB


async def start_registration(citizen: TelegramCitizen, command: str = "/start") -> None:
    """From /start (or staff's /assist) to the first question, pressing the Vietnamese buttons."""
    await citizen.send_command(command)
    await citizen.wait_for_reply("Tôi đồng ý")
    await citizen.press("Tôi đồng ý")
    await citizen.wait_for_reply("Công dân")
    await citizen.press("Công dân")
    await citizen.wait_for_reply("Thuê bao di động")
    await citizen.press("Thuê bao di động")
    await citizen.wait_for_reply("Bước 1/8")


async def answer_until_review(citizen: TelegramCitizen, answers: Particulars = SAMPLE) -> None:
    """From the first question (Bước 1/8) to the review, every answer valid, the phone shared as a contact."""
    for answer, next_step in ((answers.id_number, "Bước 2/8"), (answers.full_name, "Bước 3/8"),
                              (answers.birth, "Bước 4/8")):
        await citizen.send_text(answer)
        await citizen.wait_for_reply(next_step)
    assert citizen.reply_keyboard() is not None  # "share my phone number"
    await citizen.share_contact(answers.phone_e164)
    await citizen.wait_for_reply("Bước 5/8")
    await citizen.send_text(answers.email)
    await citizen.wait_for_reply("Bước 6/8")


async def register_until_otp(citizen: TelegramCitizen) -> None:
    await start_registration(citizen)
    await answer_until_review(citizen)
    await citizen.press("Đăng ký")
    await citizen.wait_for_reply("Bước 7/8")


@BOTH
async def test_citizen_registers_in_telegram_with_polling(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    await start_bot()
    languages = {call.params.get("language_code") for call in fake_api.calls_to("setMyCommands")}
    assert {"vi", "en", None} <= languages
    assert fake_api.calls_to("setMyDescription")
    citizen = TelegramCitizen(fake_api, user_id=1001)
    await register_until_otp(citizen)
    code = await sandbox.last_code()
    await citizen.send_text(code)
    reply = await citizen.wait_for_reply("Bước 8/8")
    assert "xác nhận" in reply["text"]
    assert [message["text"] for message in fake_api.deleted_messages(citizen.chat_id)] == [code]
    await citizen.send_text(PASSWORD)  # never accepted in the chat
    await citizen.wait_for_reply("không gõ mật khẩu")
    assert PASSWORD not in [message.get("text") for message in citizen.messages()]


async def test_with_only_a_token_the_bot_runs_on_embedded_redis_and_sandbox(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    bot = await start_bot(embedded=True)
    citizen = TelegramCitizen(fake_api, user_id=1007)
    await register_until_otp(citizen)
    welcome = next(m for m in citizen.sent_to_me() if "Tôi đồng ý" in str(m.get("reply_markup")))
    assert "Đây là bản trình diễn" in welcome["text"]  # real people on the sandbox portal are told no account is real
    printed = re.search(r"SMS to 082\*\*\*\*088\] .*?(\d{6})", await bot.output())
    assert printed, await bot.output()
    await citizen.send_text(printed.group(1))
    # No https address for Telegram to open the form from: the link is written out, for this machine's browser.
    form = await citizen.wait_for_reply("Bước 8/8")
    assert f"http://127.0.0.1:{bot.port}/webapp/password?n=" in form["text"]
    assert "web_app" not in str(form.get("reply_markup"))
    logged = await bot.output()
    assert "WEBAPP_URL is not set" in logged
    assert "moved" in logged and not any(secret in logged for secret in (ID_NUMBER, NAME, PHONE, EMAIL, PHONE[1:]))


async def test_wrong_answers_are_explained_and_the_question_stays(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1010)
    await start_registration(citizen)
    for wrong, explained, still in (
        ("0010900123", "Số này có 10 chữ số", "Bước 1/8"),
        ("００１０９０ ０１２３４５", None, "Bước 2/8"),  # full-width digits are fine
        ("Nguyễn Văn 2", "không được có chữ số", "Bước 2/8"),
        ("Nguyễn Văn An", None, "Bước 3/8"),
        ("29/02/1990", "không phải năm nhuận", "Bước 3/8"),
        ("x" * 4000, "quá dài", "Bước 3/8"),  # Telegram allows 4,096 characters; we read 1,000
    ):
        await citizen.send_text(wrong)
        reply = await citizen.wait_for_reply(still)
        if explained:
            assert explained in reply["text"]


async def test_buttons_are_cleared_and_stale_presses_are_answered(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1002)
    await citizen.send_command("/start")
    await citizen.wait_for_reply("Tôi đồng ý")
    consent = citizen.last_keyboard_message()
    await citizen.press("Tôi đồng ý")
    await citizen.wait_for_reply("Công dân")
    assert fake_api.calls_to("answerCallbackQuery")
    assert any(call.params.get("message_id") == consent["message_id"]  # the question shows the choice
               for call in fake_api.calls_to("editMessageText"))
    await citizen.press_in(consent, "consent:agree")  # an old keyboard a slow client still shows
    reply = await citizen.wait_for_reply("Công dân")
    assert "đã qua" in reply["text"]


async def test_stickers_and_foreign_contacts_are_refused_politely(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1003, language_code="en")
    await citizen.send_command("/start")
    await citizen.wait_for_reply("I agree")
    await citizen.send_sticker()
    await citizen.wait_for_reply("only read text")
    for label in ("I agree", "Citizen (Công dân)", "Mobile subscriber (Thuê bao di động)"):
        await citizen.press(label)
        await citizen.wait_for_reply()
    for answer in (ID_NUMBER, NAME, BIRTH):
        await citizen.send_text(answer)
        await citizen.wait_for_reply()
    await citizen.share_contact(PHONE_E164, own=False)
    await citizen.wait_for_reply("someone else's")
    await citizen.send_text(PHONE)
    await citizen.wait_for_reply("Step 5/8")
    question = await citizen.wait_for_reply("email")
    assert question.get("reply_markup", {}).get("inline_keyboard")  # "Skip" keeps its button
    assert any("remove_keyboard" in (call.params.get("reply_markup") or {})
               for call in fake_api.calls_to("sendMessage"))


@BOTH
async def test_webhook_mode_checks_the_secret_and_serves_a_citizen(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    bot = await start_bot(webhook=True)
    (webhook,) = fake_api.calls_to("setWebhook")
    assert webhook.params["url"] == bot.webhook_url and webhook.params["secret_token"]
    citizen = TelegramCitizen(fake_api, user_id=1004)
    forged = {"update_id": 999_999, "message": citizen.message_update_body("/start")}
    status = await fake_api.deliver_webhook(bot.webhook_url, forged, secret="wrong")
    assert status in (401, 403)
    await register_until_otp(citizen)
    welcomes = [m for m in citizen.sent_to_me() if "Tôi đồng ý" in str(m.get("reply_markup"))]
    assert len(welcomes) == 1  # the genuine /start's: the forged one was never handled
    code = await sandbox.last_code()
    await citizen.send_text(code)
    await citizen.wait_for_reply("Bước 8/8")
    await fake_api.wait_until(lambda: fake_api.deleted_messages(citizen.chat_id) or None, timeout=5)
    assert [message["text"] for message in fake_api.deleted_messages(citizen.chat_id)] == [code]
    (deleted,) = fake_api.calls_to("deleteMessage")
    assert deleted.webhook_reply  # no press to answer: the code's deletion rode in the response instead
    presses = fake_api.calls_to("answerCallbackQuery")
    assert len(presses) == 4 and all(call.webhook_reply and call.ok for call in presses)


async def test_webhook_asks_telegram_for_100_connections(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot(webhook=True)
    (webhook,) = fake_api.calls_to("setWebhook")
    assert int(webhook.params["max_connections"]) == 100  # Telegram's default 40 would cap a busy deployment


async def test_killed_worker_resumes_the_dialog(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    bot = await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1005)
    await start_registration(citizen)
    await citizen.send_text(ID_NUMBER)
    await citizen.wait_for_reply("Bước 2/8")
    bot.kill()
    await bot.stop()
    await start_bot()
    await citizen.send_text(NAME)
    await citizen.wait_for_reply("Bước 3/8")


@BOTH
async def test_flood_limits_and_server_errors_lose_no_reply(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1006, language_code="en")
    await citizen.send_command("/start")
    await citizen.wait_for_reply("I agree")
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    fake_api.fail_next("sendMessage", 502, times=2)
    burst = ["/status", "/help", "/language en", "/status"]
    for text in burst:
        await citizen.send_text(text)
    for _ in burst:
        await citizen.wait_for_reply(timeout=20)
    delivered = [call.params["text"] for call in fake_api.calls_to("sendMessage", ok=True)
                 if str(call.params["chat_id"]) == str(citizen.user_id)]
    assert len(delivered) == 1 + len(burst)  # nothing lost, nothing twice
    assert "/cancel" in delivered[2]  # the /help answer stayed in its place
    assert "English" in delivered[3]


@BOTH
async def test_a_citizen_who_blocked_the_bot_is_recorded_not_retried(
    fake_api: FakeBotAPI, start_bot: BotFactory, redis: Redis,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1008)
    fake_api.blocked_users.add(citizen.user_id)
    await citizen.send_command("/start")
    await fake_api.wait_until(lambda: telegram_refused_a_message(fake_api), timeout=10)
    blocked = DialogKey(str(fake_api.bot_id), str(citizen.chat_id), str(citizen.user_id)).blocked
    async with asyncio.timeout(10):
        while not await redis.exists(blocked):  # recorded once the batch is given up
            await asyncio.sleep(0.02)

    fake_api.blocked_users.discard(citizen.user_id)  # unblocked: their next message clears the record
    await citizen.send_command("/start")
    await citizen.wait_for_reply("Chào mừng")
    assert not await redis.exists(blocked)
    # A chat's calls go one at a time: a retry of the refused message would have come before this welcome.
    attempts = [call for call in fake_api.calls_to("sendMessage") if call.params["chat_id"] == citizen.chat_id]
    assert attempts[0].error_code == 403 and all(call.ok for call in attempts[1:])
    assert sum("Chào mừng" in str(message.get("text")) for message in citizen.sent_to_me()) == 1


def telegram_refused_a_message(api: FakeBotAPI) -> bool | None:
    return any(call.error_code == 403 for call in api.calls_to("sendMessage")) or None


@ON_AIOGRAM  # the switch itself names both frameworks
async def test_a_dialog_started_on_aiogram_finishes_on_python_telegram_bot(
    fake_api: FakeBotAPI, start_bot: BotFactory, sandbox: Sandbox,
) -> None:
    first = await start_bot(runtime="aiogram")
    citizen = TelegramCitizen(fake_api, user_id=1009)
    await register_until_otp(citizen)
    await first.stop()
    await start_bot(runtime="ptb")  # a rolling switch: same Redis, same dialogs
    await citizen.send_text(await sandbox.last_code())
    await citizen.wait_for_reply("Bước 8/8")
