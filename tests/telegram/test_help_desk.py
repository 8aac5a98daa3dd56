"""The help desk as staff and citizens meet it: a real `regbot run`, a forum supergroup in the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import re
import sys

import pytest
from redis.asyncio import Redis

from bot.storage.keys import ASSIST_LINKS
from tests.botprocess import BOTH, ON_PTB, ROOT, BotFactory, BotProcess, link_name
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PHONE, PHONE_E164, Sandbox
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.fakebot.staff import ForumGroup, TelegramStaff
from tests.telegram.test_telegram_bot import start_registration

pytestmark = ON_PTB


class Desk:
    """The staff group with two staff members (Minh is one of its administrators, who may /reveal) and
    someone who left it."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.group = ForumGroup(api)
        self.minh = TelegramStaff(api, self.group, 501, "Minh", username="minh_hd", status="administrator")
        self.lan = TelegramStaff(api, self.group, 502, "Lan", username="lan_hd")
        self.outsider = TelegramStaff(api, self.group, 503, "Khách", status="member")
        api.set_member(self.group.chat_id, 503, "left")  # was in the group once; is not staff now

    def env(self, **more: str) -> dict[str, str]:
        """Paced at 10 messages a second in the group (Telegram's 20 a minute would make slow tests)."""
        return {"STAFF_CHAT_ID": str(self.group.chat_id), "TELEGRAM_GROUP_RATE": "600", **more}


@pytest.fixture
def desk(fake_api: FakeBotAPI) -> Desk:
    return Desk(fake_api)


async def until_birth_date(citizen: TelegramCitizen) -> None:
    await start_registration(citizen)
    await citizen.send_text(ID_NUMBER)
    await citizen.wait_for_reply("Bước 2/8")
    await citizen.send_text(NAME)
    await citizen.wait_for_reply("Bước 3/8")


async def with_staff(citizen: TelegramCitizen, desk: Desk) -> int:
    """A citizen stuck at the birth date asks for a person: their case's topic, its card posted."""
    await until_birth_date(citizen)
    await citizen.send_command("/human")
    await citizen.wait_for_reply("cán bộ")
    topic = await desk.group.wait_for_topic("N. V. An")
    await desk.minh.wait_for_post(topic, "🆘")
    return topic


async def prepare_at_counter(counter: TelegramCitizen) -> str:
    """A staff member fills in a citizen's answers with /assist and hands them over: the link's token."""
    await start_registration(counter, "/assist")
    for answer, step in ((ID_NUMBER, "Bước 2/8"), (NAME, "Bước 3/8"), (BIRTH, "Bước 4/8"), (PHONE, "Bước 5/8"),
                         (EMAIL, "Bước 6/8")):
        await counter.send_text(answer)
        await counter.wait_for_reply(step)
    await counter.press("Chuyển sang điện thoại của công dân")
    photo = await counter.wait_for_reply("t.me/")
    link = re.search(r"https://t\.me/regbot_test_bot\?start=([A-Za-z0-9_-]+)", photo["caption"])
    assert link is not None
    return link.group(1)


async def audit_trail(redis_url: str, case: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "audit", "--case", case, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "REDIS_URL": redis_url})
    out, _err = await process.communicate()
    assert process.returncode == 0
    return out.decode()


def texts(posts: list[dict[str, object]]) -> str:
    return "\n".join(str(post.get("text") or post.get("caption") or "") for post in posts)


@BOTH
async def test_a_case_from_handoff_to_close(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk, redis_url: str,
) -> None:
    bot = await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=1001)
    await until_birth_date(citizen)

    await citizen.send_command("/human")
    await citizen.wait_for_reply("cán bộ")
    topic = await desk.group.wait_for_topic("N. V. An")
    card = await desk.minh.wait_for_post(topic, "🆘")
    number = re.search(r"#(\d+)", card["text"]).group(1)  # type: ignore[union-attr]
    assert "****2345" in card["text"] and "N. V. An" in card["text"]
    assert ID_NUMBER not in card["text"] and NAME not in card["text"] and "đang chờ cán bộ" in card["text"]

    await citizen.send_text("Tôi không chắc ngày sinh trên CCCD")  # to the topic, not to the tree
    assert (await desk.minh.wait_for_post(topic))["text"] == "Tôi không chắc ngày sinh trên CCCD"
    await citizen.send_photo(caption="ảnh CCCD")
    assert "photo" in await desk.minh.wait_for_post(topic)
    await citizen.send_text("mk: Abc@12345 có đúng không?")  # a password inside a sentence: hidden
    assert (await desk.minh.wait_for_post(topic))["text"] == "mk: ****** có đúng không?"
    await citizen.wait_for_reply("đã che mã OTP hoặc mật khẩu")

    await desk.outsider.send_text(topic, "Tôi giúp nhé")  # not staff any more: nothing happens
    await desk.minh.send_text(topic, "Chào anh, tôi là cán bộ hỗ trợ.")  # the first message claims the case
    await citizen.wait_for_reply("cán bộ của bộ phận hỗ trợ đang trao đổi")
    assert (await citizen.wait_for_reply())["text"] == "Chào anh, tôi là cán bộ hỗ trợ."
    assert "Minh" not in texts(citizen.sent_to_me())  # no staff name unless configured
    assert "Tôi giúp nhé" not in texts(citizen.sent_to_me())
    assert "not a member" in await bot.output()
    await desk.minh.wait_for_post(topic, "Minh đã nhận hồ sơ")

    await desk.lan.send_text(topic, "Để em xem")  # not hers
    await desk.lan.wait_for_post(topic, "Chưa gửi cho công dân")
    lan_message = desk.lan.last_message_id
    await desk.minh.send_command(topic, "/note công dân lớn tuổi, nói chậm")
    await desk.minh.send_command(topic, "/reveal id")
    private = await desk.minh.private.wait_for_reply(ID_NUMBER)
    assert f"#{number}" in private["text"]
    await desk.minh.wait_for_post(topic, "đã xem số định danh")
    await desk.lan.send_command(topic, "/reveal name")  # not an administrator of the group
    await desk.lan.wait_for_post(topic, "Chỉ quản trị viên")
    assert not desk.lan.private.sent_to_me()

    await desk.minh.send_text(topic, "Anh gửi ngày sinh theo dạng ngày/tháng/năm nhé")
    sent = desk.minh.last_message_id
    await citizen.wait_for_reply("ngày/tháng/năm")
    await desk.minh.edit(sent, "Anh gửi ngày sinh theo dạng dd/mm/yyyy nhé")  # edits are carried over
    await fake_api.wait_until(lambda: True if any("dd/mm/yyyy" in (m.get("text") or "")
                                                  for m in citizen.messages()) else None, 10)
    await citizen.send_text("Vâng")
    vang = citizen.last_message_id
    await desk.minh.wait_for_post(topic, "Vâng")
    await citizen.edit(vang, "Vâng, cảm ơn")
    await fake_api.wait_until(lambda: True if "Vâng, cảm ơn" in texts(desk.minh.posts(topic)) else None, 10)
    assert "Vâng, cảm ơn" in texts(desk.minh.posts(topic))

    await desk.minh.send_command(topic, "/transfer", reply_to=lan_message)
    await desk.lan.wait_for_post(topic, "từ Minh sang Lan")
    await desk.lan.send_text(topic, "Chào anh, em là Lan.")
    await citizen.wait_for_reply("em là Lan")
    await desk.lan.send_document(topic, "huong-dan.pdf", caption="Hướng dẫn")
    assert (await citizen.wait_for_reply("Hướng dẫn"))["document"]["file_name"] == "huong-dan.pdf"
    assert "công dân lớn tuổi" not in texts(citizen.sent_to_me())  # the /note stayed in the topic

    await desk.lan.send_command(topic, "/resume")
    await desk.lan.wait_for_post(topic, "bước nào")
    assert "ngày sinh" in desk.lan.buttons(topic) and "mã OTP" not in desk.lan.buttons(topic)
    await desk.lan.press("ngày sinh", topic)
    await citizen.wait_for_reply("quay lại với trợ lý")
    await desk.lan.wait_for_post(topic, "Lan đã trả hội thoại")
    await citizen.send_text(BIRTH)  # the assistant answers again
    await citizen.wait_for_reply("Bước 4/8")
    await citizen.share_contact(PHONE_E164)
    await citizen.wait_for_reply("Bước 5/8")
    await fake_api.wait_until(lambda: True if "082****088" in texts(desk.lan.posts(topic)) else None, 10)
    assert PHONE not in texts(desk.lan.posts(topic))  # the card follows, masked

    await desk.lan.send_command(topic, "/close")
    await desk.lan.wait_for_post(topic, "đã được Lan đóng")
    await fake_api.wait_until(lambda: True if desk.group.topics()[topic]["closed"] else None, 10)
    await citizen.send_text(EMAIL)  # the next message goes to the bot
    await citizen.wait_for_reply("Bước 6/8")
    await citizen.send_command("/human")  # the same citizen again: the same case, its topic reopened
    await desk.minh.wait_for_post(topic, "đang chờ cán bộ")
    assert not desk.group.topics()[topic]["closed"] and len(desk.group.topics()) == 1

    trail = await audit_trail(redis_url, number)
    actions = [line.split()[3] for line in trail.splitlines()]
    assert actions == ["handoff", "claim", "reveal", "reveal_refused", "transfer", "resume", "close", "handoff"], trail
    assert "staff:501" in trail and "staff:502" in trail and "id_number" in trail
    assert ID_NUMBER not in trail and NAME not in trail


async def test_a_staff_message_telegram_delivers_twice_reaches_the_citizen_once(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk,
) -> None:
    """Telegram delivers a webhook update again when it did not get the answer, possibly to another worker
    while the first is still relaying it."""
    workers = [await start_bot(webhook=True, env=desk.env()) for _ in range(2)]
    secret = fake_api.calls_to("setWebhook")[-1].params["secret_token"]
    citizen = TelegramCitizen(fake_api, user_id=1009)
    topic = await with_staff(citizen, desk)

    said = desk.minh.message_update(topic, "Chào anh, tôi là cán bộ hỗ trợ.")
    statuses = await asyncio.gather(*(fake_api.deliver_webhook(worker.webhook_url, said, secret)
                                      for worker in (*workers, workers[0])))
    assert statuses == [200, 200, 200]
    await desk.minh.send_text(topic, "Anh gửi ngày sinh theo dạng ngày/tháng/năm nhé")
    await citizen.wait_for_reply("ngày/tháng/năm")
    assert texts(citizen.sent_to_me()).count("Chào anh, tôi là cán bộ hỗ trợ.") == 1


async def test_a_citizen_waiting_for_staff_who_opens_a_prepared_registration_leaves_no_case_waiting(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk,
) -> None:
    await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=1012)
    waiting = await with_staff(citizen, desk)

    token = await prepare_at_counter(desk.minh.private)  # meanwhile, at the counter
    await citizen.send_command(f"/start {token}")
    await citizen.wait_for_reply("Cán bộ đã chuẩn bị")
    note = await desk.minh.wait_for_post(waiting, "đã đóng")
    assert "#1" in note["text"] and "#2" in note["text"]
    assert desk.group.topics()[waiting]["closed"]
    await citizen.press("Đăng ký")  # the assistant has the dialog: nothing goes to the old topic
    await citizen.wait_for_reply("Bước 7/8")


async def test_a_citizen_back_after_their_closed_topic_was_deleted_gets_one_new_topic_with_one_card(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk,
) -> None:
    await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=1013)
    first = await with_staff(citizen, desk)
    await desk.minh.send_text(first, "Chào anh")
    await desk.minh.send_command(first, "/close")
    await desk.minh.wait_for_post(first, "đã được Minh đóng")
    await fake_api.wait_until(lambda: desk.group.topics()[first]["closed"] or None, 10)
    await desk.minh.delete_topic(first)

    await citizen.send_command("/human")  # back, a day later
    await citizen.wait_for_reply("cán bộ")
    second = await desk.group.wait_for_topic("N. V. An")
    assert second != first
    await desk.minh.wait_for_post(second, "🆘")
    await citizen.send_text("Tôi lại cần giúp")
    await desk.minh.wait_for_post(second, "Tôi lại cần giúp")
    assert sum("🆘" in str(post.get("text")) for post in desk.minh.posts(second)) == 1


async def test_a_handoff_whose_case_was_never_opened_is_opened_at_the_citizens_next_message(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk, redis: Redis,
) -> None:
    await start_bot(env=desk.env())
    citizen = TelegramCitizen(fake_api, user_id=1010)
    await with_staff(citizen, desk)
    # What a worker killed between saving the dialog and opening the case leaves: a dialog with the help
    # desk, and no case for the citizen.
    assert await redis.delete(f"regbot:desk:{{{fake_api.bot_id}}}:citizen:{citizen.chat_id}:{citizen.user_id}") == 1

    await citizen.send_text("Còn ai ở đó không?")
    topic = await desk.group.wait_for_topic("#2 N. V. An")
    await desk.minh.wait_for_post(topic, "🆘")
    assert (await desk.minh.wait_for_post(topic, "Còn ai"))["text"] == "Còn ai ở đó không?"


async def test_stuck_citizen_deleted_topic_and_group_flood_limit(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk,
) -> None:
    fake_api.group_limit = (5, 1.0)  # 5 a second: the pacing below (a burst of 3, then 2 a second) stays under it
    await start_bot(env=desk.env(TELEGRAM_GROUP_RATE="120"))
    citizen = TelegramCitizen(fake_api, user_id=1002)
    await until_birth_date(citizen)
    for wrong in ("hôm qua", "31/02/1990"):
        await citizen.send_text(wrong)
        await citizen.wait_for_reply("Bước 3/8")
    await citizen.send_text("🎂")
    await citizen.wait_for_reply("khó trả lời ở đây")
    first = await desk.group.wait_for_topic("#")
    card = await desk.minh.wait_for_post(first, "🆘")
    assert "ba lần" in card["text"]

    await desk.minh.delete_topic(first)
    await citizen.send_text("Còn ai ở đó không?")
    second = await desk.group.wait_for_topic("N. V. An")
    assert second != first
    await desk.minh.wait_for_post(second, "Còn ai ở đó không?")
    assert "🆘" in texts(desk.minh.posts(second))  # a new card, then the message

    burst = [f"tin nhắn {n}" for n in range(8)]
    for text in burst:
        await citizen.send_text(text)
    await fake_api.wait_until(lambda: True if burst[-1] in texts(desk.minh.posts(second)) else None, 20)
    assert fake_api.group_rate_limited == 0  # paced under the group's limit: no 429 at all

    fake_api.group_limit = (2, 1.0)  # now Telegram is stricter than our pacing: 429s, and nothing is lost
    burst = [f"lần hai {n}" for n in range(6)]
    for text in burst:
        await citizen.send_text(text)
    await fake_api.wait_until(lambda: True if burst[-1] in texts(desk.minh.posts(second)) else None, 30)
    assert fake_api.group_rate_limited > 0
    relayed = [line for line in texts(desk.minh.posts(second)).splitlines() if line.startswith("lần hai")]
    assert relayed == burst  # every one, in order

    fake_api.group_limit = None
    await desk.lan.send_command(second, "/take")
    await citizen.wait_for_reply("đang trao đổi với bạn")
    await desk.lan.wait_for_post(second, "Lan đã nhận hồ sơ")
    await desk.lan.send_command(second, "/card")
    card = await desk.lan.wait_for_post(second, "🆘")
    assert "cán bộ đang hỗ trợ: Lan" in card["text"] and "ngày sinh (3/8)" in card["text"]


@BOTH
async def test_assisted_registration_handed_to_the_citizen_phone(
    fake_api: FakeBotAPI, start_bot: BotFactory, desk: Desk, sandbox: Sandbox, redis: Redis,
) -> None:
    bot: BotProcess = await start_bot(env=desk.env(ASSIST_LINK_TTL="4"))
    stranger = TelegramCitizen(fake_api, user_id=1003)
    fake_api.set_member(desk.group.chat_id, stranger.user_id, "left")
    await stranger.send_command("/assist")
    await stranger.wait_for_reply("/assist")  # an unknown command to anyone not on staff
    assert "refused /assist" in await bot.output()

    counter = desk.minh.private
    token = await prepare_at_counter(counter)
    qr = counter.sent_to_me()[-1]["photo"][0]  # the QR code, with the link as its caption
    assert fake_api.files[qr["file_id"]].content.startswith(b"\x89PNG")

    owner = TelegramCitizen(fake_api, user_id=1004)
    await owner.send_command(f"/start {token}")
    review = await owner.wait_for_reply("Cán bộ đã chuẩn bị")
    assert "Nguyễn Văn An" in review["text"] and "Đăng ký" in owner.buttons()
    await counter.wait_for_reply("đã mở đường dẫn")
    await owner.press("Đăng ký")
    await owner.wait_for_reply("Bước 7/8")  # the code went to the citizen's phone, in their chat
    await owner.send_text(await sandbox.last_code())
    await owner.wait_for_reply("Bước 8/8")  # and the password form is theirs too
    assert not any("web_app" in str(m.get("reply_markup")) for m in counter.sent_to_me())  # no password form

    late = TelegramCitizen(fake_api, user_id=1005)
    await late.send_command(f"/start {token}")  # used once already
    await late.wait_for_reply("đã được dùng hoặc đã hết hạn")

    token = await prepare_at_counter(counter)  # a second citizen; this link is left to expire
    link = ASSIST_LINKS + link_name(bot, token)
    assert 0 < await redis.pttl(link) <= 4_000  # Redis forgets it after ASSIST_LINK_TTL
    await redis.pexpire(link, 1)  # and now it has: Redis expires it as it would have 4 s later
    async with asyncio.timeout(5):
        while await redis.exists(link):
            await asyncio.sleep(0.01)
    await late.send_command(f"/start {token}")
    await late.wait_for_reply("đã được dùng hoặc đã hết hạn")
