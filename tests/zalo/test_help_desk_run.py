"""The help desk serving a Zalo citizen end to end: a real `regbot run` with Telegram, a Zalo OA and STAFF_CHAT_ID, the
fake Bot API's forum group for staff and the fake OA for the citizen, test Redis and the sandbox portal."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.asyncio import Redis

from tests.botprocess import ON_PTB, BotFactory
from tests.fakebot.person import JPEG
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import ForumGroup, TelegramStaff
from tests.fakezalo import FakeZaloOA
from tests.fakezalo.messages import Sent
from tests.zalo.test_help_desk import jpeg
from tests.zalo.test_regbot_run import CITIZEN, DEADLINE, ZaloCitizen

pytestmark = ON_PTB


async def sent_to_citizen(oa: FakeZaloOA, after: int, found: Callable[[Sent], bool]) -> Sent:
    """The first message the OA sent the citizen from `after` on that `found` picks, waiting for it (a staff
    message is no answer to an event of the citizen's: nothing else says when it is sent)."""
    async with asyncio.timeout(DEADLINE):
        while True:
            for message in oa.sent_to(CITIZEN)[after:]:
                if found(message):
                    return message
            await asyncio.sleep(0.05)


async def test_a_zalo_citizen_with_staff_on_telegram_and_back_with_the_assistant(
    start_bot: BotFactory, fake_api: FakeBotAPI, redis: Redis,
) -> None:
    group = ForumGroup(fake_api)
    lan = TelegramStaff(fake_api, group, 501, "Lan")
    async with FakeZaloOA() as oa:
        bot = await start_bot(env={
            "STAFF_CHAT_ID": str(group.chat_id), "TELEGRAM_GROUP_RATE": "600", **oa.bot_settings()})
        oa.webhook_url = f"http://127.0.0.1:{bot.port}/zalo/webhook"
        citizen = ZaloCitizen(oa, redis)
        await oa.follow(CITIZEN)
        await citizen.answers()
        await citizen.presses("consent:agree")
        await citizen.presses("subject:citizen")
        await citizen.says("1")
        await citizen.says("001090012345")
        handed = await citizen.says("gặp nhân viên")  # /human, as words
        assert "cán bộ" in handed[0].text

        topic = await group.wait_for_topic("#1")
        card = await lan.wait_for_post(topic, "🆘")
        assert "Kênh: Zalo" in card["text"] and "****2345" in card["text"]
        await citizen.says("Tôi không nhận được mã")
        await lan.wait_for_post(topic, "Tôi không nhận được mã")
        picture = jpeg(320, 240)
        await oa.image(CITIZEN, picture)
        await citizen.answers()
        posted = await lan.wait_for_post(topic)
        assert fake_api.files[posted["photo"][-1]["file_id"]].content == picture

        seen = len(oa.sent_to(CITIZEN))
        await lan.send_text(topic, "Chào anh, tôi xem giúp anh nhé")
        await sent_to_citizen(oa, seen, lambda message: message.text == "Chào anh, tôi xem giúp anh nhé")
        await lan.send_photo(topic, "Mẫu giấy tờ")
        image = await sent_to_citizen(oa, seen, lambda message: message.kind == "image")
        assert image.text == "Mẫu giấy tờ" and image.attachment_id is not None
        assert oa.world.attachments[image.attachment_id][0] == JPEG  # the photo staff sent, through the upload

        seen = len(oa.sent_to(CITIZEN))
        await lan.send_command(topic, "/resume full_name")
        back = await sent_to_citizen(oa, seen, lambda message: "trợ lý" in message.text)
        assert "Bước 2/8" in back.text  # the name question, at once
        citizen.seen = len(oa.sent_to(CITIZEN))
        on = await citizen.says("Nguyễn Văn An")
        assert "Bước 3/8" in "\n".join(message.text for message in on)  # the assistant has the dialog again
