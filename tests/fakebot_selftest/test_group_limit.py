"""The per-group flood limit: too many bot messages to one group within the window are refused with 429."""

from __future__ import annotations

import pytest
import telegram
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter

from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI, ForumGroup, TelegramCitizen
from tests.fakebot import flood as group_flood
from tests.fakebot_selftest.clients import aiogram_bot, ptb_bot


class Monotonic:
    """The flood window's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


async def test_a_group_takes_count_messages_per_sliding_window(
    api: FakeBotAPI, bot: Bot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Monotonic()
    monkeypatch.setattr(group_flood, "time", clock)
    desk = ForumGroup(api)
    api.group_limit = (3, 1.0)
    await bot.send_message(desk.chat_id, "1")
    clock.now += 0.3
    await bot.send_message(desk.chat_id, "2")
    await bot.send_message(desk.chat_id, "3")
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(desk.chat_id, "4")
    assert flood.value.retry_after == 1 and "retry after 1" in flood.value.message
    assert api.group_rate_limited == 1
    clock.now += 0.75  # "1" has left the window, "2" and "3" have not
    await bot.send_message(desk.chat_id, "4")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(desk.chat_id, "5")
    assert [m["text"] for m in api.sent_to(desk.chat_id)] == ["1", "2", "3", "4"]
    assert api.group_rate_limited == 2 and [c.error_code for c in api.calls_to("sendMessage", ok=False)] == [429] * 2


async def test_every_message_creating_call_counts_but_not_refusals_or_private_chats(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    desk = ForumGroup(api)
    thread = (await bot.create_forum_topic(desk.chat_id, "An · 1001")).message_thread_id  # not a message
    api.group_limit = (4, 60.0)
    await citizen.send_text("Tôi cần giúp")
    source = citizen.last_message_id or 0
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(desk.chat_id, "x", message_thread_id=999)  # refused: does not count
    await bot.send_message(desk.chat_id, "1", message_thread_id=thread)
    await bot.copy_message(desk.chat_id, citizen.chat_id, source, message_thread_id=thread)
    await bot.forward_message(desk.chat_id, citizen.chat_id, source, message_thread_id=thread)
    await bot.send_photo(desk.chat_id, api.add_file(b"\xff\xd8jpeg", file_name="anh.jpg"))
    for _ in range(5):
        await bot.send_message(citizen.chat_id, "riêng")  # private chats are not limited this way
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_document(desk.chat_id, api.add_file(b"%PDF-1.4", file_name="to-khai.pdf"))
    assert 59 <= flood.value.retry_after <= 60  # until the oldest counted message leaves the minute
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(desk.chat_id, "5")
    assert api.group_rate_limited == 2 and len(api.sent_to(desk.chat_id)) == 4


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_the_limit_is_a_constructor_option_and_ptb_sees_retry_after() -> None:
    async with FakeBotAPI(DEFAULT_TOKEN, group_limit=(1, 60.0)) as api:
        desk = ForumGroup(api)
        assert api.group_limit == (1, 60.0)
        async with ptb_bot(api) as bot:
            await bot.send_message(desk.chat_id, "1")
            with pytest.raises(telegram.error.RetryAfter) as flood:
                await bot.send_message(desk.chat_id, "2")
        assert "Retry in 60 seconds" in str(flood.value)
        assert api.group_rate_limited == 1
        unlimited = aiogram_bot(api)
        try:
            api.group_limit = None
            await unlimited.send_message(desk.chat_id, "2")
        finally:
            await unlimited.session.close()
        assert api.group_rate_limited == 1
