"""Zalo's way out against the fake OA and real Redis: what the citizen's Zalo shows, and each refusal acted on."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.numbered import NumberedLists
from bot.channels.zalo.pace import SendPace
from bot.channels.zalo.replies import ZaloReplies
from bot.channels.zalo.window import ConsultationWindow
from bot.core.answer import Answer, Rendered, RenderedButton
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.pseudonyms import Pseudonyms
from bot.storage import DialogKey
from bot.webapp.links import PasswordLinks
from conversations.dialog import StepName
from conversations.events import Command, Said
from conversations.replies import Effect
from tests.clock import ManualClock
from tests.fakezalo import FakeZaloOA
from tests.zalo.test_api import IssuedTokens

CITIZEN = "8412345"
KEY = DialogKey("zalo:app", CITIZEN, CITIZEN)


class Blocks:
    def __init__(self) -> None:
        self.keys: list[DialogKey] = []

    async def record(self, key: DialogKey) -> None:
        self.keys.append(key)


@pytest.fixture
def blocks() -> Blocks:
    return Blocks()


@pytest.fixture
async def replies(oa: FakeZaloOA, http: aiohttp.ClientSession, redis: Redis, clock: ManualClock, catalogs: Catalogs,
                  blocks: Blocks) -> ZaloReplies:
    await redis.flushall()
    oa.world.interacted(CITIZEN, clock())
    oa.world.follower(CITIZEN).follows = True

    async def no_pause(seconds: float) -> None:
        return None

    api = ZaloApi(http, oa.base_url, IssuedTokens(oa), SendPace(sleep=no_pause), backoff=0.001)
    links = PasswordLinks(redis, Pseudonyms(b"k" * 32))
    return ZaloReplies(api, catalogs, links, "http://127.0.0.1:8080", ConsultationWindow(redis, clock),
                       NumberedLists(redis), blocks.record)


def answer(*replies: Rendered, effects: tuple[Effect, ...] = ()) -> Answer:
    return Answer(replies, effects, StepName.OTP, "vi")


def buttons(count: int) -> tuple[tuple[RenderedButton, ...], ...]:
    return tuple((RenderedButton(f"method:{n}", f"Cách {n}"),) for n in range(1, count + 1))


async def test_a_long_reply_is_split_and_its_buttons_ride_on_the_last_message(
    replies: ZaloReplies, oa: FakeZaloOA,
) -> None:
    await replies.answer(Incoming(KEY, Said("x")), answer(Rendered(("a" * 1500, "b" * 1500), buttons(2))))
    first, last = oa.sent_to(CITIZEN)
    assert (first.text, first.buttons) == ("a" * 1500, ())
    assert last.text == "b" * 1500 and [b.payload for b in last.buttons] == ["#btn:method:1", "#btn:method:2"]


async def test_six_choices_are_a_numbered_list_a_typed_number_answers_until_the_next_reply(
    replies: ZaloReplies, oa: FakeZaloOA, redis: Redis,
) -> None:
    numbered = NumberedLists(redis)
    await replies.answer(Incoming(KEY, Said("x")), answer(Rendered(("Chọn cách",), buttons(6))))
    (listed,) = oa.sent_to(CITIZEN)
    assert not listed.buttons and "6. Cách 6" in listed.text
    assert await numbered.chosen(KEY, " 6 ") == "method:6"
    assert await numbered.chosen(KEY, "7") is None
    await replies.answer(Incoming(KEY, Said("6")), answer(Rendered(("Nhập số CCCD",))))
    assert await numbered.chosen(KEY, "1") is None  # a number typed now is an answer


async def test_the_phone_question_is_followed_by_zalo_s_form_in_the_citizen_s_language(
    replies: ZaloReplies, oa: FakeZaloOA,
) -> None:
    await replies.answer(Incoming(KEY, Said("x")), answer(Rendered(("Số điện thoại?",), ask_contact=True)))
    question, form = oa.sent_to(CITIZEN)
    assert question.text == "Số điện thoại?"
    assert form.kind == "request_user_info" and form.element["title"] == "Chia sẻ số điện thoại"


async def test_the_flow_is_told_zalo_deletes_nothing_and_its_words_go_out_alone(
    replies: ZaloReplies, oa: FakeZaloOA,
) -> None:
    """What stays in the chat is the flow's to say (conversations/forgetting.py): the way out adds no note of its
    own, even to an answer asking for the message to go (an answer kept from before this was so)."""
    assert replies.deletes_messages is False
    await replies.answer(Incoming(KEY, Said("123456")), answer(Rendered(("Đặt mật khẩu",), ask_password=True),
                                                                effects=(Effect.FORGET_MESSAGE,)))
    (password,) = oa.sent_to(CITIZEN)
    assert password.text.startswith("Đặt mật khẩu") and "123456" not in password.text
    assert "http://127.0.0.1:8080/webapp/password?n=" in password.text


async def test_delete_forgets_the_window_and_the_numbered_list_once_its_confirmation_is_sent(
    replies: ZaloReplies, oa: FakeZaloOA, redis: Redis, clock: ManualClock,
) -> None:
    await ConsultationWindow(redis, clock).interacted(KEY, clock())
    await replies.answer(Incoming(KEY, Said("x")), answer(Rendered(("Chọn cách",), buttons(6))))
    assert await redis.exists(KEY.interacted, KEY.numbered) == 2
    erased = answer(Rendered(("Tôi đã xóa mọi thông tin về bạn.",), buttons(6)), effects=(Effect.ERASE,))
    await replies.answer(Incoming(KEY, Command("delete")), erased)
    assert "Tôi đã xóa mọi thông tin về bạn." in oa.sent_to(CITIZEN)[-1].text  # the window let it through
    assert not await redis.exists(KEY.interacted, KEY.numbered)  # not even the list the confirmation ended with


async def test_a_citizen_who_left_the_oa_is_recorded_as_blocked(
    replies: ZaloReplies, oa: FakeZaloOA, blocks: Blocks,
) -> None:
    oa.world.follower(CITIZEN).follows = False
    await replies.answer(Incoming(KEY, Said("x")), answer(Rendered(("?",))))  # raises nothing
    assert blocks.keys == [KEY] and not oa.sent_to(CITIZEN)


async def test_a_closed_window_is_closed_here_too(
    replies: ZaloReplies, oa: FakeZaloOA, redis: Redis, clock: ManualClock,
) -> None:
    window = ConsultationWindow(redis, clock)
    await window.interacted(KEY, clock())
    clock.advance(timedelta(days=8).total_seconds())
    await window.interacted(KEY, clock() - timedelta(days=6))  # counted here, not by Zalo
    assert await window.is_open(KEY)
    await replies.say(KEY, Rendered(("Bạn còn muốn tiếp tục?",)))
    assert not await window.is_open(KEY) and not oa.sent_to(CITIZEN)


async def test_a_reminder_is_not_attempted_outside_the_window(
    replies: ZaloReplies, oa: FakeZaloOA, redis: Redis, clock: ManualClock,
) -> None:
    await replies.say(KEY, Rendered(("Bạn còn muốn tiếp tục?",)))  # no interaction within 7 days recorded
    assert not oa.calls
    await ConsultationWindow(redis, clock).interacted(KEY, clock() - timedelta(days=6))
    await replies.say(KEY, Rendered(("Bạn còn muốn tiếp tục?",)))
    assert [message.text for message in oa.sent_to(CITIZEN)] == ["Bạn còn muốn tiếp tục?"]
