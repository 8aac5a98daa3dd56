"""A button press as the citizen sees it: answered, its question turned into the choice, on both frameworks.

By webhook the press is answered in the HTTP response to Telegram's POST
(one request fewer); by polling it is answered by a request, as before.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram.actions import AnswerCallback
from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.updates import origin_of, read_update
from bot.channels.telegram.webhook import mount_webhook
from bot.channels.telegram.webhook_reply import WebhookReply
from bot.ops.web import serving
from tests.botprocess import BOTH, TOKEN, BotFactory
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import Call, FakeBotAPI

pytestmark = BOTH

SECRET = "s3cret"


def answers_to(api: FakeBotAPI, citizen: TelegramCitizen) -> list[Call]:
    return [call for call in api.calls_to("answerCallbackQuery")
            if call.params.get("callback_query_id") == citizen.last_callback_id]


async def press_consent(api: FakeBotAPI, citizen: TelegramCitizen) -> dict[str, Any]:
    """/start, then "Tôi đồng ý": answers the consent question as it was sent, with its buttons."""
    await citizen.send_command("/start")
    consent = await citizen.wait_for_reply("Tôi đồng ý")
    await citizen.press("Tôi đồng ý")
    await citizen.wait_for_reply("Công dân")
    await api.wait_until(lambda: answers_to(api, citizen) or None, timeout=5)
    return consent


def assert_shows_the_choice(api: FakeBotAPI, question: dict[str, Any], label: str) -> None:
    now = api.message(question["chat"]["id"], question["message_id"])
    assert now is not None and now["text"] == f"{question['text']}\n\n✓ {label}"
    assert "reply_markup" not in now  # no button left to press twice


async def test_a_press_by_webhook_is_answered_in_the_response_and_its_question_shows_the_choice(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    bot = await start_bot(webhook=True)
    citizen = TelegramCitizen(fake_api, user_id=1101)
    consent = await press_consent(fake_api, citizen)
    (answer,) = answers_to(fake_api, citizen)
    assert answer.webhook_reply and answer.ok  # carried by the response to the POST, not a request of its own
    assert fake_api.callbacks[answer.params["callback_query_id"]]  # Telegram took it: the client stops spinning
    assert_shows_the_choice(fake_api, consent, "Tôi đồng ý")
    assert not fake_api.calls_to("editMessageReplyMarkup")  # the edit took the buttons away: no call of its own
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.port}/metrics") as response:
        metrics = await response.text()
    assert 'regbot_telegram_calls_total{method="AnswerCallback",result="carried"} 1.0' in metrics


async def test_a_polled_press_is_answered_by_a_request_and_its_question_shows_the_choice(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=1102)
    consent = await press_consent(fake_api, citizen)
    (answer,) = answers_to(fake_api, citizen)
    assert not answer.webhook_reply and answer.ok  # no response to carry it: a request, as always
    assert_shows_the_choice(fake_api, consent, "Tôi đồng ý")


async def test_an_old_button_pressed_again_is_refused_and_its_question_keeps_the_choice_made(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot(webhook=True)
    citizen = TelegramCitizen(fake_api, user_id=1103)
    consent = await press_consent(fake_api, citizen)
    await citizen.press_in(consent, "Tôi không đồng ý")  # a slow client still shows the old keyboard
    reply = await citizen.wait_for_reply("Công dân")
    assert "đã qua" in reply["text"]
    await fake_api.wait_until(lambda: answers_to(fake_api, citizen) or None, timeout=5)
    assert_shows_the_choice(fake_api, consent, "Tôi đồng ý")  # not the refused press's label


# The 500 path: Telegram's POST, through the webhook and each framework's parser, to a handler that fails.

@pytest.mark.parametrize("fails", [False, True])
async def test_an_update_that_fails_is_answered_500_carrying_no_call(
    fake_api: FakeBotAPI, adapter: TelegramAdapter, fails: bool,
) -> None:
    citizen = TelegramCitizen(fake_api, user_id=1104)
    bot = await _bot_message_with_buttons(fake_api, citizen)

    async def handle(update: Any, reply: WebhookReply) -> None:
        incoming = read_update(update, str(fake_api.bot_id), reply)
        assert incoming is not None
        origin = origin_of(incoming)
        assert origin.webhook_reply is reply and origin.callback_id is not None
        assert origin.webhook_reply.carry(AnswerCallback(origin.callback_id))  # as the replies would
        if fails:
            raise RuntimeError("a bug")

    app = web.Application()
    mount_webhook(app, "/hook", SECRET, adapter.parse_update, handle)
    async with serving(app, "127.0.0.1", 0) as port:
        url = f"http://127.0.0.1:{port}/hook"
        status = await fake_api.deliver_webhook(url, citizen.press_update("Tôi đồng ý", bot), SECRET)
        async with aiohttp.ClientSession() as session, session.post(
                url, json=citizen.press_update("Tôi đồng ý", bot), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response:
            body = await response.read()
    carried = fake_api.calls_to("answerCallbackQuery")
    if fails:
        assert status == 500 and b"method" not in body  # Telegram delivers it again; nothing rode
        assert not carried
    else:
        assert status == 200 and response.content_type == "application/json"
        assert json.loads(body)["method"] == "answerCallbackQuery"
        assert len(carried) == 1 and carried[0].webhook_reply and carried[0].ok


async def _bot_message_with_buttons(api: FakeBotAPI, citizen: TelegramCitizen) -> dict[str, Any]:
    """A consent question in the citizen's chat, sent by the bot straight through the fake's HTTP API."""
    markup = {"inline_keyboard": [[{"text": "Tôi đồng ý", "callback_data": "consent:agree"}]]}
    async with aiohttp.ClientSession() as session, session.post(
            f"{api.base_url}/bot{TOKEN}/sendMessage",
            json={"chat_id": citizen.chat_id, "text": "Bạn đồng ý chứ?", "reply_markup": markup}) as response:
        sent: dict[str, Any] = (await response.json())["result"]
    return sent
