"""The Telegram help desk serving a citizen on Zalo, in process: the parts `regbot run` builds for Telegram and a Zalo
OA side by side, the fake Bot API's forum group for staff, the fake OA (over real HTTP, its webhook signed) for the
citizen, real Redis and the sandbox portal.

What staff write in the case's topic reaches the citizen as Zalo consultation messages, their photos through Zalo's
image upload; the citizen's words and pictures reach the topic; what cannot be delivered comes back to staff with
the reason; and the staff commands work on a Zalo citizen's case as on a Telegram one's.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from PIL import Image
from redis.asyncio import Redis

from bot.app.channel_choice import zalo_config
from bot.app.compose import TelegramBot, telegram_bot, zalo_beside, zalo_replies
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.app.zalo_channel import zalo_channel
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.zalo.api import SEND
from bot.channels.zalo.payloads import press_payload
from bot.core.i18n import Catalogs
from bot.helpdesk.audit import AuditLog
from bot.helpdesk.card import card_text
from bot.helpdesk.cases import Case
from bot.helpdesk.handover import new_code, shown, typed_code
from bot.storage import DialogKey
from bot.storage.keys import ASSIST_CODES
from tests.botprocess import TOKEN
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PHONE_E164, Sandbox
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import ForumGroup, TelegramStaff
from tests.fakezalo import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_ID, OA_SECRET_KEY, FakeZaloOA
from tests.fakezalo.messages import Sent
from tests.zalo.handled import sent_after_handling

CITIZEN = "8412345"
KEY = DialogKey(f"zalo:{APP_ID}", CITIZEN, CITIZEN)


def jpeg(width: int, height: int, quality: int = 80, seed: int = 1) -> bytes:
    """A real JPEG; noise keeps it from compressing, so its size grows with its pixels."""
    noise = random.Random(seed).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "JPEG", quality=quality)
    return out.getvalue()


@dataclass
class Desk:
    api: FakeBotAPI
    oa: FakeZaloOA
    bot: TelegramBot
    group: ForumGroup
    redis: Redis
    parse: Any  # the framework's reading of an update's JSON, as the webhook calls it
    seen: int = 0
    staff: dict[int, TelegramStaff] = field(default_factory=dict)

    async def handled(self) -> list[Sent]:
        """What the OA sent the citizen since the last look, once the events delivered meanwhile are handled."""
        sent = await sent_after_handling(self.oa, self.bot.in_flight, CITIZEN, self.seen)
        self.seen += len(sent)
        return sent

    async def citizen_says(self, text: str) -> list[Sent]:
        await self.oa.text(CITIZEN, text)
        return await self.handled()

    async def staff_posts(self, update: dict[str, Any]) -> list[Sent]:
        """A staff member's message in the group, handled as the webhook hands it over; what the citizen got."""
        await self.bot.front.on_update(self.parse(update))
        return await self.handled()

    async def counter_does(self, update: dict[str, Any]) -> None:
        """A staff member's message or press in their own chat with the bot (e.g. /assist)."""
        await self.bot.front.on_update(self.parse(update))

    def topic_texts(self, topic: int) -> list[str]:
        return [str(message.get("text") or message.get("caption") or "") for message in self.group.messages(topic)]

    async def with_staff(self, staff: TelegramStaff) -> int:
        """The citizen follows, asks for a person, and `staff` writes first (claiming the case): the topic."""
        await self.oa.follow(CITIZEN)
        await self.handled()
        await self.citizen_says("/human")
        topic = await self.group.wait_for_topic()
        joined = await self.staff_posts(staff.message_update(topic, "Hello, I am Lan"))
        assert [message.text for message in joined] == [
            "A staff member from the help desk is now with you in this chat.", "Hello, I am Lan"]
        return topic


@pytest.fixture
async def desk(fake_api: FakeBotAPI, redis_url: str, redis: Redis, sandbox: Sandbox, tmp_path: Path,
               ) -> AsyncIterator[Desk]:
    group = ForumGroup(fake_api)
    async with FakeZaloOA() as oa:  # on the real clock, as the webhook's check of an event's age is
        settings = Settings(  # type: ignore[call-arg]  # pydantic-settings' own argument
            _env_file=None, redis_url=redis_url, portal_url=sandbox.url, data_dir=tmp_path,
            dialog_encryption_key=Fernet.generate_key().decode(), telegram_api_url=fake_api.base_url,
            staff_chat_id=group.chat_id, staff_language="en", telegram_chat_interval=0.0, telegram_group_rate=6000,
            default_language="en", zalo_app_id=APP_ID, zalo_app_secret=APP_SECRET, zalo_oa_secret_key=OA_SECRET_KEY,
            zalo_refresh_token=FIRST_REFRESH_TOKEN, zalo_api_url=oa.base_url, zalo_oauth_url=oa.base_url,
            zalo_oa_id=OA_ID, port=0)
        config = zalo_config(settings)
        assert config is not None
        adapter = make_adapter("ptb", TOKEN, fake_api.base_url)
        try:
            async with running(settings) as runtime, zalo_channel(config, runtime) as channel:
                await runtime.redis.flushall()
                bot = telegram_bot(settings, runtime, adapter, await adapter.me(), TOKEN,
                                   zalo_replies(settings, runtime, channel))
                zalo_beside(bot, channel)
                runner = web.AppRunner(bot.app)
                await runner.setup()
                await web.TCPSite(runner, "127.0.0.1", 0).start()
                oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
                try:
                    yield Desk(fake_api, oa, bot, group, runtime.redis, adapter.parse_update)
                finally:
                    await bot.in_flight.drain(5)
                    await runner.cleanup()
        finally:
            await adapter.close()


@pytest.fixture
def lan(fake_api: FakeBotAPI, desk: Desk) -> TelegramStaff:
    return TelegramStaff(fake_api, desk.group, 501, "Lan")


async def test_the_case_card_names_zalo_and_the_citizen_s_words_reach_the_topic(desk: Desk) -> None:
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    told = await desk.citizen_says("gặp nhân viên")
    assert "passing you to a person from the help desk" in told[0].text
    topic = await desk.group.wait_for_topic()
    card = desk.topic_texts(topic)[1]
    assert "🆘" in card and "Channel: Zalo" in card
    await desk.citizen_says("The code never arrived")
    assert "The code never arrived" in desk.topic_texts(topic)


async def test_a_staff_photo_reaches_the_zalo_citizen_through_the_image_upload(desk: Desk, lan: TelegramStaff) -> None:
    topic = await desk.with_staff(lan)
    photo = jpeg(640, 480)
    sent = await desk.staff_posts(lan.message_update(topic, **lan._photo(photo, "This is the form to bring")))
    assert [(message.kind, message.text) for message in sent] == [("image", "This is the form to bring")]
    assert sent[0].attachment_id is not None
    uploaded, _expires = desk.oa.world.attachments[sent[0].attachment_id]
    assert uploaded == photo  # the photo as staff sent it, uploaded to Zalo, then sent in a media template


async def test_a_staff_photo_over_zalo_s_limit_comes_back_to_staff(desk: Desk, lan: TelegramStaff) -> None:
    topic = await desk.with_staff(lan)
    large = jpeg(1200, 1000, quality=95)
    assert len(large) > 1024 * 1024
    assert await desk.staff_posts(lan.message_update(topic, **lan._photo(large, None))) == []
    assert any("Zalo takes pictures of at most 1 MB" in text for text in desk.topic_texts(topic))
    assert not [path for path, _code in desk.oa.calls if path.endswith("/upload/image")]  # not even tried


async def test_a_staff_sticker_is_not_lost_silently(desk: Desk, lan: TelegramStaff) -> None:
    topic = await desk.with_staff(lan)
    sticker = {"file_id": "sticker-1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512,
               "is_animated": False, "is_video": False}
    assert await desk.staff_posts(lan.message_update(topic, sticker=sticker)) == []
    assert "Not delivered: only words and pictures reach a citizen on Zalo." in desk.topic_texts(topic)


async def test_the_citizen_s_picture_reaches_the_topic_as_a_photo(desk: Desk, lan: TelegramStaff) -> None:
    topic = await desk.with_staff(lan)
    picture = jpeg(320, 240)
    await desk.oa.image(CITIZEN, picture)
    assert await desk.handled() == []  # nothing said back: it went to staff
    photos = [message for message in desk.group.messages(topic) if "photo" in message]
    assert len(photos) == 1
    assert desk.api.files[photos[0]["photo"][-1]["file_id"]].content == picture


async def test_a_citizen_s_picture_that_can_no_longer_be_downloaded_is_told_to_staff(
    desk: Desk, lan: TelegramStaff,
) -> None:
    topic = await desk.with_staff(lan)
    url = desk.oa.host_image(jpeg(320, 240))
    desk.oa.expire_images()  # the URL Zalo gave stopped working before the bot downloaded it
    body = desk.oa.event("user_send_image", CITIZEN, {"attachments": [
        {"type": "image", "payload": {"thumbnail": url, "url": url}}]})
    desk.oa.world.interacted(CITIZEN, desk.oa.clock())
    await desk.oa.deliver(body)
    await desk.handled()
    assert "The citizen sent a picture that could not be shown here. Ask them to describe it, or to send it " \
           "again." in desk.topic_texts(topic)


@pytest.mark.parametrize(("breaks", "reason"), [
    ("window", "only within 7 days of their last message"),
    ("unfollowed", "unfollowed the Zalo Official Account"),
    ("banned", "banned or has been inactive for more than 45 days"),
    ("plan", "refused the message or could not be reached"),
])
async def test_a_staff_message_that_cannot_reach_the_citizen_comes_back_with_the_reason(
    desk: Desk, lan: TelegramStaff, breaks: str, reason: str,
) -> None:
    topic = await desk.with_staff(lan)
    sends_before = sum(path == SEND for path, _code in desk.oa.calls)
    match breaks:
        case "window":  # seven days without a word: the window's key beside the dialog has expired
            await desk.redis.delete(KEY.interacted)
        case "unfollowed":  # Zalo tells the OA, but the event may be lost or late: -213 says it too
            desk.oa.world.follower(CITIZEN).follows = False
        case "banned":
            desk.oa.world.follower(CITIZEN).banned = True
        case "plan":
            desk.oa.fail_next(SEND, -224)
    assert await desk.staff_posts(lan.message_update(topic, "Are you still there?")) == []
    note = desk.topic_texts(topic)[-1]
    assert note.startswith("Not delivered:") and reason in note
    if breaks == "window":
        assert sum(path == SEND for path, _code in desk.oa.calls) == sends_before  # not even attempted
    trail = [entry for entry in await AuditLog(desk.redis).entries() if entry.action == "undelivered"]
    assert [(entry.actor, entry.detail) for entry in trail] == [("staff:501", {
        "window": "window_closed", "unfollowed": "unfollowed", "banned": "inactive", "plan": "refused"}[breaks])]


async def test_the_staff_commands_work_on_a_zalo_citizen_s_case(desk: Desk, fake_api: FakeBotAPI) -> None:
    lan = TelegramStaff(fake_api, desk.group, 501, "Lan", username="lan_desk", status="administrator")
    minh = TelegramStaff(fake_api, desk.group, 502, "Minh", status="administrator")
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    for button in ("consent:agree", "subject:citizen"):
        await desk.oa.press(CITIZEN, press_payload(button))
        await desk.handled()
    await desk.citizen_says("1")  # Thuê bao di động, from the numbered list
    await desk.citizen_says("001090012345")
    await desk.citizen_says("/human")
    topic = await desk.group.wait_for_topic()

    assert await desk.staff_posts(lan.message_update(topic, "/note she is at the counter")) == []
    joined = await desk.staff_posts(lan.message_update(topic, "/take"))
    assert [message.text for message in joined] == ["A staff member from the help desk is now with you in this chat."]
    assert "Lan has taken case #1." in desk.topic_texts(topic)

    await desk.staff_posts(minh.message_update(topic, "/take"))  # Minh takes it over, then hands it back to Lan
    assert await desk.staff_posts(lan.message_update(topic, "Lan here")) == []  # not Lan's case now
    assert any("case #1 is with Minh" in text for text in desk.topic_texts(topic))
    await desk.staff_posts(minh.message_update(topic, "/transfer @lan_desk"))
    assert "Case #1 was handed from Minh to Lan." in desk.topic_texts(topic)

    assert await desk.staff_posts(lan.message_update(topic, "/reveal id")) == []  # to staff only, privately
    assert "Lan viewed the id number of case #1 (sent privately)." in desk.topic_texts(topic)
    private = [message.get("text") for message in fake_api.chat_messages(501)]
    assert "Case #1, id number: 001090012345" in private

    resumed = await desk.staff_posts(lan.message_update(topic, "/resume full_name"))
    assert "You are back with the assistant." in resumed[0].text and "full name" in resumed[-1].text.lower()
    assert "Lan gave the dialog back to the assistant at: full name." in desk.topic_texts(topic)

    await desk.citizen_says("/human")
    await desk.staff_posts(lan.message_update(topic, "/take"))
    closed = await desk.staff_posts(lan.message_update(topic, "/close"))
    assert closed[0].text.startswith("The help desk has finished the conversation.")
    assert "Case #1 was closed by Lan." in desk.topic_texts(topic)
    assert desk.group.topics()[topic]["closed"]


def test_the_card_names_the_channel_in_the_staff_language(catalogs: Catalogs) -> None:
    zalo, telegram = Case("7", CITIZEN, CITIZEN, KEY.bot), Case("8", "1001", "1001", "123456")
    assert "Kênh: Zalo" in card_text(zalo, None, catalogs, "vi")
    assert "Channel: Telegram" in card_text(telegram, None, catalogs, "en")


async def prepare_at_counter(desk: Desk, staff: TelegramStaff) -> str:
    """`staff` fills in a citizen's answers with /assist in their own chat and hands them over: the caption of the
    link's QR code, which carries the hand-over code for Zalo."""
    counter = staff.private
    await desk.counter_does(counter.command_update("/assist"))
    for label in ("Tôi đồng ý", "Công dân", "Thuê bao di động"):
        await desk.counter_does(counter.press_update(label))
    for answer in (ID_NUMBER, NAME, BIRTH):
        await desk.counter_does(counter.text_update(answer))
    await desk.counter_does(counter.contact_update(PHONE_E164))
    await desk.counter_does(counter.text_update(EMAIL))
    await desk.counter_does(counter.press_update("Chuyển sang điện thoại của công dân"))
    photo = counter.sent_to_me()[-1]
    assert "photo" in photo
    return str(photo["caption"])


def handover_code(caption: str) -> str:
    found = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", caption)
    assert found is not None, caption
    return found.group(1)


async def test_a_registration_prepared_at_a_counter_is_opened_on_zalo_by_its_hand_over_code(
    desk: Desk, lan: TelegramStaff,
) -> None:
    caption = await prepare_at_counter(desk, lan)
    assert "https://t.me/regbot_test_bot?start=" in caption  # the Telegram link and its QR code, as before
    assert f"https://zalo.me/{OA_ID}" in caption  # and for Zalo, the OA's chat and a code
    code = handover_code(caption)
    token = caption.split("?start=")[1].split()[0]
    kept = [await desk.redis.get(key) async for key in desk.redis.scan_iter(ASSIST_CODES + "*")]
    assert len(kept) == 1 and token.encode() not in kept[0]  # the link's name: Redis alone cannot open it
    assert not [key async for key in desk.redis.scan_iter(f"*{code.replace('-', '')}*")]  # nor shows the code
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    opened = await desk.citizen_says(" " + code.lower().replace("-", "") + " ")  # as typed on a phone
    said = "\n".join(message.text for message in opened)
    assert "A staff member has prepared your registration" in said and "Nguyễn Văn An" in said
    assert "The citizen has opened the link" in str(lan.private.sent_to_me()[-1].get("text"))
    again = await desk.citizen_says(code)  # one time only, and said of the code, not of a link
    assert "This code is not right, has been used already or has expired." in "\n".join(
        message.text for message in again)


async def test_wrong_hand_over_codes_are_limited_per_citizen(desk: Desk, lan: TelegramStaff) -> None:
    code = handover_code(await prepare_at_counter(desk, lan))
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    wrong = [candidate for candidate in ("K7M2-Q9XD", "A2B3-C4D5", "Z9Y8-X7W6", "M3N4-P5Q6", "R7S8-T9U2", "V3W4-X5Y6")
             if candidate != code][:5]
    for guess in wrong:
        refused = await desk.citizen_says(guess)
        assert refused[-1].text.startswith("This code is not right") and "link" not in refused[-1].text
    late = await desk.citizen_says(code)  # the right one, after five wrong ones within the hour: not looked up
    assert late[-1].text.startswith("This code is not right")
    other = DialogKey(KEY.bot, "8499999", "8499999")  # the code itself is still good for its citizen
    assert other != KEY
    await desk.oa.follow(other.user)
    await desk.oa.text(other.user, code)
    await desk.handled()
    assert "A staff member has prepared your registration" in desk.oa.sent_to(other.user)[-1].text


@pytest.mark.parametrize("typed", ["K7M2-Q9XD", "k7m2q9xd", " k7m2 - q9xd", "Ｋ７Ｍ２－Ｑ９ＸＤ"])
def test_a_hand_over_code_is_read_however_it_is_typed(typed: str) -> None:
    assert typed_code(typed) == "K7M2Q9XD"


@pytest.mark.parametrize("typed", ["NGUYENAN", "12345678", "0821234088", "K7M2-Q9XD5", "K7M-2Q9", "O1IL-2345",
                                   "tôi không hiểu", "ABC-123"])
def test_what_is_no_hand_over_code(typed: str) -> None:
    assert typed_code(typed) is None  # a name, a number, a pairing code: never taken for one


def test_hand_over_codes_have_a_letter_and_a_digit() -> None:
    for _ in range(200):
        code = new_code()
        assert typed_code(shown(code)) == code


async def test_a_citizen_s_sticker_is_told_to_staff(desk: Desk, lan: TelegramStaff) -> None:
    topic = await desk.with_staff(lan)
    desk.oa.world.interacted(CITIZEN, desk.oa.clock())
    await desk.oa.deliver(desk.oa.event("user_send_sticker", CITIZEN, {"attachments": [
        {"type": "sticker", "payload": {"id": "1", "url": "https://zalo.me/sticker/1"}}]}))
    assert await desk.handled() == []
    assert "The citizen sent something other than words or a picture" in desk.topic_texts(topic)[-1]


async def test_nothing_staff_do_is_sent_to_a_citizen_whose_window_has_closed(desk: Desk, fake_api: FakeBotAPI) -> None:
    lan = TelegramStaff(fake_api, desk.group, 501, "Lan")
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    await desk.citizen_says("/human")
    topic = await desk.group.wait_for_topic()
    await desk.redis.delete(KEY.interacted)  # a week went by
    calls = len(desk.oa.calls)
    assert await desk.staff_posts(lan.message_update(topic, "/take")) == []
    assert desk.topic_texts(topic)[-2:] == [
        "Lan has taken case #1.",
        "The citizen was not told of this: Zalo lets us write to a citizen only within 7 days of their last message, "
        "and this citizen has not written since."]
    assert len(desk.oa.calls) == calls  # the "staff member is with you" not even attempted


@pytest.mark.parametrize(("breaks", "reason", "detail"), [
    ("window", "only within 7 days of their last message", "window_closed"),
    ("unfollowed", "unfollowed the Zalo Official Account", "unfollowed"),
    ("banned", "banned or has been inactive for more than 45 days", "inactive"),
])
async def test_what_a_staff_command_could_not_tell_the_citizen_comes_back_to_staff(
    desk: Desk, fake_api: FakeBotAPI, breaks: str, reason: str, detail: str,
) -> None:
    """/take, /resume and /close do their work on the case; the citizen not told of it, staff learn why."""
    lan = TelegramStaff(fake_api, desk.group, 501, "Lan")
    await desk.oa.follow(CITIZEN)
    await desk.handled()
    await desk.citizen_says("/human")
    topic = await desk.group.wait_for_topic()
    match breaks:
        case "window":
            await desk.redis.delete(KEY.interacted)
        case "unfollowed":
            desk.oa.world.follower(CITIZEN).follows = False
        case "banned":
            desk.oa.world.follower(CITIZEN).banned = True

    def last_two() -> tuple[str, str]:
        first, note = [text for text in desk.topic_texts(topic) if text][-2:]  # not the topic's closing
        assert note.startswith("The citizen was not told of this:") and reason in note, note
        return first, note

    assert await desk.staff_posts(lan.message_update(topic, "/take")) == []
    assert last_two()[0] == "Lan has taken case #1."
    assert await desk.staff_posts(lan.message_update(topic, "/resume consent")) == []
    assert last_two()[0] == "Lan gave the dialog back to the assistant at: consent."
    assert await desk.staff_posts(lan.message_update(topic, "/take")) == []
    assert await desk.staff_posts(lan.message_update(topic, "/close")) == []
    assert last_two()[0] == "Case #1 was closed by Lan."
    assert desk.group.topics()[topic]["closed"]  # the command did its work all the same
    assert "Status: closed" in desk.topic_texts(topic)[1]  # the card
    trail = [(entry.action, entry.actor, entry.detail) for entry in await AuditLog(desk.redis).entries()
             if entry.action in ("take", "resume", "close", "undelivered")]
    assert trail == [("take", "staff:501", ""), ("undelivered", "staff:501", detail),
                     ("resume", "staff:501", "consent"), ("undelivered", "staff:501", detail),
                     ("take", "staff:501", ""), ("undelivered", "staff:501", detail),
                     ("close", "staff:501", ""), ("undelivered", "staff:501", detail)]


async def test_a_staff_edit_of_a_message_sent_on_zalo_is_told_to_staff_once(
    desk: Desk, lan: TelegramStaff, fake_api: FakeBotAPI,
) -> None:
    topic = await desk.with_staff(lan)
    first = lan.message_update(topic, "Bring your ID card on Monday")
    fake_api.claim(first)  # in the group, as Telegram has it: its edits carry its topic
    assert [message.text for message in await desk.staff_posts(first)] == ["Bring your ID card on Monday"]
    notes = len(desk.topic_texts(topic))
    for text in ("Bring your ID card on Tuesday", "Bring your ID card on Tuesday morning"):
        edit = lan._update(edited_message=lan._edited(first["message"]["message_id"], text))
        fake_api.claim(edit)
        assert await desk.staff_posts(edit) == []  # Zalo cannot edit what it sent, and nothing new is sent
    told = desk.topic_texts(topic)[notes:]
    assert told == ["Zalo cannot change a message already sent: the citizen still sees the first version. Send them "
                    "a correction as a new message."]  # once for the message, however often it is edited
    undelivered = lan.message_update(topic, "Are you there?")  # one that never reached the citizen: no note
    fake_api.claim(undelivered)
    await desk.redis.delete(KEY.interacted)
    await desk.staff_posts(undelivered)
    notes = len(desk.topic_texts(topic))
    edit = lan._update(edited_message=lan._edited(undelivered["message"]["message_id"], "Are you still there?"))
    fake_api.claim(edit)
    await desk.staff_posts(edit)
    assert len(desk.topic_texts(topic)) == notes
