"""The calls every update makes, posted as `wire.py` writes them on aiohttp by each adapter, over real HTTP.

Both adapters post these calls below their framework's methods and read
the answer themselves (`wire.read_answer`), so the failures `delivery` acts
on are theirs to report: Telegram's flood limit with the wait it asks for,
a citizen who blocked the bot, a refused call (a forum topic that is gone
apart), a server error or a lost connection, which are tried again. Polled
updates come as Telegram sent them, as a webhook's do.
"""

from __future__ import annotations

import pytest

from bot.channels.telegram.actions import (
    AnswerCallback,
    Blocked,
    CallbackButton,
    DeleteMessage,
    EditText,
    InlineKeyboard,
    Rejected,
    RetryAfter,
    SendMessage,
    ShowChoice,
    TopicGone,
    Transient,
)
from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.citizen_json import read_citizen_update
from tests.botprocess import BOTH
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI

pytestmark = BOTH
FAILURES = (RetryAfter, Blocked, Rejected, Transient)  # what `delivery` acts on
KEYBOARD = InlineKeyboard(((CallbackButton("Đồng ý", "consent:yes"), CallbackButton("Không", "consent:no")),))


@pytest.fixture
def citizen(fake_api: FakeBotAPI) -> TelegramCitizen:
    return TelegramCitizen(fake_api, user_id=1101)


async def test_a_question_reaches_the_citizen_and_their_press_is_answered(
    fake_api: FakeBotAPI, adapter: TelegramAdapter, citizen: TelegramCitizen,
) -> None:
    message_id = await adapter.execute(SendMessage(citizen.chat_id, "Bạn đồng ý chứ? <b>&</b>", KEYBOARD))
    shown = citizen.sent_to_me()[-1]
    assert shown["message_id"] == message_id and shown["text"] == "Bạn đồng ý chứ? <b>&</b>"  # sent as it is
    assert citizen.buttons() == ["Đồng ý", "Không"]

    await citizen.press("Đồng ý")
    pressed = fake_api.pending_updates[-1]["callback_query"]
    assert await adapter.execute(AnswerCallback(pressed["id"])) is None
    assert await adapter.execute(ShowChoice(citizen.chat_id, message_id, "Bạn đồng ý chứ?", "Đồng ý")) is None
    assert citizen.last_keyboard() is None and "Đồng ý" in citizen.messages()[-1]["text"]
    assert [call.params["callback_query_id"] for call in fake_api.calls_to("answerCallbackQuery", ok=True)] == [
        pressed["id"]]


async def test_telegram_s_refusals_are_the_failures_delivery_acts_on(
    fake_api: FakeBotAPI, adapter: TelegramAdapter, citizen: TelegramCitizen,
) -> None:
    fake_api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await adapter.execute(SendMessage(citizen.chat_id, "một"))
    assert flood.value.seconds == 7

    for status in (502, 500, 409):
        fake_api.fail_next("sendMessage", status)
        with pytest.raises(Transient):
            await adapter.execute(SendMessage(citizen.chat_id, "hai"))

    with pytest.raises(Rejected) as refused:  # no such message to edit: the fake API's 400, as Telegram's
        await adapter.execute(EditText(citizen.chat_id, 987654, "ba"))
    assert type(refused.value) is Rejected
    fake_api.fail_next("sendMessage", 400, description="Bad Request: message thread not found")
    with pytest.raises(TopicGone):
        await adapter.execute(SendMessage(-100123, "bốn", thread_id=5))

    fake_api.blocked_users.add(citizen.user_id)
    with pytest.raises(Blocked):
        await adapter.execute(SendMessage(citizen.chat_id, "năm"))
    fake_api.blocked_users.discard(citizen.user_id)

    fake_api.fail_next("deleteMessage", 401)  # a revoked token: no retry would help, nor skipping the call
    with pytest.raises(Exception) as revoked:
        await adapter.execute(DeleteMessage(citizen.chat_id, 1))
    assert not isinstance(revoked.value, FAILURES)  # so the update fails loudly
    assert [message["text"] for message in citizen.sent_to_me()] == []  # none of the refused calls took effect

    assert isinstance(await adapter.execute(SendMessage(citizen.chat_id, "sáu")), int)  # and the next one goes


async def test_a_bot_api_out_of_reach_is_transient(fake_api: FakeBotAPI, adapter: TelegramAdapter) -> None:
    await fake_api.stop()
    with pytest.raises(Transient):
        await adapter.execute(SendMessage(1101, "bảy"))


async def test_polled_updates_come_as_telegram_sent_them_and_a_second_poller_is_transient(
    fake_api: FakeBotAPI, adapter: TelegramAdapter, citizen: TelegramCitizen,
) -> None:
    text = citizen.text_update("Nguyễn Văn An")
    contact = citizen.contact_update("+84901234567")
    first, second = fake_api.inject(text), fake_api.inject(contact)
    polled = await adapter.fetch_updates(None, 0)
    assert [update["update_id"] for update in polled] == [first, second]
    assert polled[0]["message"]["text"] == "Nguyễn Văn An"
    assert polled[1]["message"]["contact"]["phone_number"] == "+84901234567"
    assert polled[0] == text and read_citizen_update(polled[0]) is not None  # read from its JSON, as a webhook's
    assert await adapter.fetch_updates(second + 1, 0) == []  # confirmed: Telegram forgets them
    assert fake_api.pending_updates == []

    fake_api.fail_next("getUpdates", 409)  # another poller took over, for now
    with pytest.raises(Transient):
        await adapter.fetch_updates(second + 1, 0)


async def test_python_telegram_bot_s_calls_take_the_proxy_the_environment_names(
    adapter: TelegramAdapter, citizen: TelegramCitizen, framework: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if framework != "ptb":
        pytest.skip("aiogram's session takes no proxy from the environment, by aiogram's own choice")
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(Transient):
        await adapter.execute(SendMessage(citizen.chat_id, "qua proxy"))
    assert citizen.sent_to_me() == []
