"""A citizen registers on Zalo: signed events in through the webhook, consultation messages out, over the fake OA,
real Redis and the sandbox portal, with the parts `regbot run` builds for a Zalo OA served alone."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bot.app.channel_choice import zalo_config
from bot.app.compose import ZaloBot, zalo_bot
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.app.zalo_channel import zalo_channel
from bot.channels.zalo.payloads import press_payload
from bot.core.i18n import Catalogs
from bot.portal.sandbox import SmsMessage
from bot.storage import DialogKey
from conversations.text import Text
from tests.cccd_images import SAMPLE_PAYLOAD, card_photo
from tests.fakezalo import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_SECRET_KEY, FakeZaloOA
from tests.fakezalo.messages import Sent
from tests.zalo.handled import sent_after_handling
from tests.zalo.redis_keys import keys_naming

CITIZEN = "8412345"


@dataclass
class Chat:
    oa: FakeZaloOA
    bot: ZaloBot
    sms: list[SmsMessage]
    redis: Redis
    seen: int = 0

    async def handled(self) -> list[Sent]:
        """What the OA sent since the last look, once the events delivered meanwhile are handled."""
        sent = await sent_after_handling(self.oa, self.bot.in_flight, CITIZEN, self.seen)
        self.seen += len(sent)
        return sent

    async def says(self, text: str) -> list[Sent]:
        await self.oa.text(CITIZEN, text)
        return await self.handled()

    async def presses(self, button_id: str) -> list[Sent]:
        await self.oa.press(CITIZEN, press_payload(button_id))
        return await self.handled()


@pytest.fixture
async def chat(redis_url: str, tmp_path: Path) -> AsyncIterator[Chat]:
    sms: list[SmsMessage] = []
    async with FakeZaloOA() as oa:  # on the real clock, as the webhook's check of an event's age is
        settings = Settings(  # type: ignore[call-arg]  # pydantic-settings' own argument
            _env_file=None, redis_url=redis_url, data_dir=tmp_path,
            dialog_encryption_key=Fernet.generate_key().decode(), zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET,
            zalo_oa_secret_key=OA_SECRET_KEY, zalo_refresh_token=FIRST_REFRESH_TOKEN, zalo_api_url=oa.base_url,
            zalo_oauth_url=oa.base_url, port=0)
        config = zalo_config(settings)
        assert config is not None
        async with running(settings, on_sms=sms.append) as runtime, zalo_channel(config, runtime) as channel:
            await runtime.redis.flushall()
            bot = zalo_bot(settings, runtime, channel)
            runner = web.AppRunner(bot.app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
            try:
                yield Chat(oa, bot, sms, runtime.redis)
            finally:
                await bot.in_flight.drain(5)
                await runner.cleanup()


def texts(sent: list[Sent]) -> str:
    return "\n".join(message.text for message in sent)


async def test_a_citizen_registers_up_to_the_password_link(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    consent = await chat.handled()
    assert [button.payload for button in consent[-1].buttons] == ["#btn:consent:agree", "#btn:consent:decline"]
    assert all(button.type == "oa.query.hide" for button in consent[-1].buttons)
    subject = await chat.presses("consent:agree")
    assert "#btn:subject:citizen" in [button.payload for button in subject[-1].buttons]
    method = await chat.presses("subject:citizen")
    assert not method[-1].buttons  # 6 choices: more than Zalo shows, so a numbered list
    assert "1. " in method[-1].text and "6. VNeID" in method[-1].text
    id_question = await chat.says("1")  # the first of the list: Thuê bao di động
    assert "CCCD" in texts(id_question)
    await chat.says("001090012345")
    await chat.says("Nguyễn Văn An")
    refused = await chat.says("31/02/1990")  # no such day: refused, the same question again
    assert "không có ngày 31" in texts(refused) and "Bước 3/8" in texts(refused)
    phone_question = await chat.says("05/09/1990")
    assert phone_question[-1].kind == "request_user_info"
    assert phone_question[-1].element["title"] == "Chia sẻ số điện thoại"
    email = await chat.oa.submit_info(CITIZEN, "84821234088") and await chat.handled()
    assert "#btn:email:skip" in [button.payload for button in email[-1].buttons]
    review = await chat.presses("email:skip")
    assert "Đăng ký" in review[-1].text and not review[-1].buttons  # the summary's 6 choices, numbered
    otp_question = await chat.says("dang ky")  # a label typed, without its tone marks
    assert otp_question and chat.sms
    code = re.search(r"\b\d{6}\b", chat.sms[-1].text)
    assert code is not None
    password = await chat.says(code.group())
    assert "chỉ dùng được một lần và hết hạn" in texts(password)  # it stays in the chat: single-use, expiring
    assert "đã xóa" not in texts(password) and "đã xoá" not in texts(password)  # never said to be deleted
    assert all(code.group() not in message.text for message in password)  # never echoed
    assert re.search(r"http://127\.0\.0\.1:\d+/webapp/password\?n=\S+", texts(password))


async def test_command_words_and_an_unfollow(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    back = await chat.says("Quay lại")  # /back, typed as words, tone marks or not
    assert "#btn:consent:agree" in [button.payload for button in back[-1].buttons]
    helped = await chat.says("tro giup")
    assert "/cancel" in texts(helped)
    await chat.oa.unfollow(CITIZEN)
    await chat.handled()
    key = DialogKey(f"zalo:{APP_ID}", CITIZEN, CITIZEN)
    assert await chat.redis.exists(key.blocked)  # as a Telegram user who blocked the bot


def vietnamese(msgid: str) -> str:
    """What the Vietnamese catalog says for `msgid`, as the citizen reads it."""
    return Catalogs().render(Text(msgid), "vi")


async def test_a_button_of_an_earlier_question_is_answered_as_on_telegram_and_the_list_still_answers(
    chat: Chat,
) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    method = await chat.presses("subject:citizen")
    assert "6. VNeID" in method[-1].text
    again = await chat.presses("consent:agree")  # consent's button, pressed again from higher up the chat
    assert vietnamese("That button belongs to an earlier question, which has moved on. Here is the current one.") \
        in texts(again)
    assert "6. VNeID" in again[-1].text and not again[-1].buttons  # the current question, its numbered list
    id_question = await chat.says("1")
    assert "CCCD" in texts(id_question)


async def test_cancel_and_status_typed_as_words(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    await chat.presses("subject:citizen")
    await chat.says("1")
    await chat.says("001090012345")
    await chat.says("Nguyễn Văn An")
    status = await chat.says("trạng thái")
    assert vietnamese("What you have told me so far:") in texts(status) and "Nguyễn Văn An" in texts(status)
    assert "Bước 3/8" in texts(status)  # and the question it stopped at
    cancelled = await chat.says("hủy")
    assert vietnamese("Cancelled. I have deleted everything you told me. Send /start whenever you want to begin "
                      "again.") in texts(cancelled)
    nothing = await chat.says("Trạng thái")
    assert vietnamese("You have not given any personal details yet.") in texts(nothing)
    assert "Nguyễn Văn An" not in texts(nothing)


async def test_english_and_delete_as_typed_words(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    english = await chat.says("English")  # Zalo tells no language: the citizen chooses it
    assert "#btn:consent:agree" in [button.payload for button in english[-1].buttons]
    assert "I agree" in [button.title for button in english[-1].buttons]
    await chat.presses("consent:agree")
    key = DialogKey(f"zalo:{APP_ID}", CITIZEN, CITIZEN)
    assert await chat.redis.exists(key.dialog)
    deleted = await chat.says("xoá dữ liệu")
    assert "I have deleted everything I kept about you" in texts(deleted)
    assert await keys_naming(chat.redis, CITIZEN) == []  # the dialog, and Zalo's window and numbered list beside it


@pytest.mark.parametrize("unfollow_first", [False, True], ids=["delete-then-unfollow", "unfollow-then-delete"])
async def test_a_citizen_who_unfollows_as_they_delete_leaves_nothing_naming_them(
    chat: Chat, unfollow_first: bool,
) -> None:
    """They type "xoá dữ liệu" and unfollow at once: the confirmation is refused (-213), and the unfollow's event
    reaches the bot before or after the deletion; neither records a block after the dialog is gone."""
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    key = DialogKey(f"zalo:{APP_ID}", CITIZEN, CITIZEN)
    if unfollow_first:
        await chat.oa.unfollow(CITIZEN)
        await chat.handled()
        assert await chat.redis.exists(key.blocked)  # the block is recorded beside the dialog while there is one
    chat.oa.world.follower(CITIZEN).follows = False
    assert await chat.says("xoá dữ liệu") == []  # the confirmation refused: they left
    assert not await chat.redis.exists(key.dialog)  # deleted all the same
    if not unfollow_first:
        await chat.oa.unfollow(CITIZEN)
        await chat.handled()
    assert await keys_naming(chat.redis, CITIZEN) == []



async def test_invalid_answers_are_explained_in_the_citizen_s_language_and_the_question_stays(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    await chat.presses("subject:citizen")
    await chat.says("1")
    for answer, explained in (
        ("0O1090012345", "chỉ gồm chữ số (0–9)"),  # a letter O for a zero
        ("😀", "chỉ gồm chữ số (0–9)"),
        ("1" * 10_240, "Tin nhắn quá dài (10240 ký tự)"),  # 10 KB
    ):
        refused = texts(await chat.says(answer))
        assert explained in refused and "Bước 1/8" in refused
    chat.oa.world.interacted(CITIZEN, chat.oa.clock())
    await chat.oa.deliver(chat.oa.event("user_send_sticker", CITIZEN, {"attachments": [{"type": "sticker"}]}))
    assert "chỉ đọc được tin nhắn chữ và nút bấm" in texts(await chat.handled())
    await chat.says("001090012345")
    emoji = texts(await chat.says("Nguyễn Văn 😀"))
    assert "không được có “😀”" in emoji and "Bước 2/8" in emoji
    await chat.says("Nguyễn Văn An")
    await chat.says("05/09/1990")
    await chat.oa.submit_info(CITIZEN, "842438221234")  # Zalo's form, with a Hanoi landline
    landline = await chat.handled()
    assert "số điện thoại cố định" in texts(landline) and "Bước 4/8" in texts(landline)
    assert landline[-1].kind == "request_user_info"  # Zalo's form offered again
    await chat.oa.submit_info(CITIZEN, "84821234088")
    assert "#btn:email:skip" in [button.payload for button in (await chat.handled())[-1].buttons]


async def test_a_photo_of_the_card_s_qr_code_fills_the_fields_and_an_expired_one_is_asked_again(chat: Chat) -> None:
    await chat.oa.follow(CITIZEN)
    await chat.handled()
    await chat.presses("consent:agree")
    await chat.presses("subject:citizen")
    await chat.says("1")
    gone = chat.oa.host_image(card_photo(SAMPLE_PAYLOAD))
    chat.oa.expire_images()  # read after Zalo stopped serving it (how long it does is unconfirmed)
    chat.oa.world.interacted(CITIZEN, chat.oa.clock())
    attachment = {"type": "image", "payload": {"thumbnail": gone, "url": gone}}
    await chat.oa.deliver(chat.oa.event("user_send_image", CITIZEN, {"attachments": [attachment]}))
    expired = texts(await chat.handled())
    assert "Tôi không tải được ảnh này" in expired and "Telegram" not in expired and "Bước 1/8" in expired
    await chat.oa.image(CITIZEN, card_photo(SAMPLE_PAYLOAD))
    read = await chat.handled()
    assert all(shown in texts(read) for shown in ("001090012345", "Nguyễn Văn An", "5 tháng 9, 1990"))
    assert "không gỡ được ảnh của bạn" in texts(read)  # Zalo keeps the photo in the chat: the citizen is told
    assert {"#btn:id_number:card_right", "#btn:id_number:card_fix"} <= {b.payload for b in read[-1].buttons}
    phone = await chat.presses("id_number:card_right")
    assert "Bước 4/8" in texts(phone) and phone[-1].kind == "request_user_info"
