"""Raw Telegram updates, well-formed or broken, through each framework's parser and the shared front.

Each adapter's `parse_update` (what the webhook calls) must either give an
update or fail with an error the webhook answers with 400; aiogram and
python-telegram-bot must read the same update into the same event; an
update read straight from its JSON (`citizen_json.py`, before either
framework) must be one both frameworks read, into that same event; and
the front must answer it or ignore it without an exception, every message
in the dialog's language.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import event, example, given
from redis.asyncio import Redis

from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.citizen_json import read_citizen_update
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.telegram.front import TelegramFront
from bot.channels.telegram.updates import read_other, read_update
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.message_rate import MessageRate
from bot.portal.client import PortalClient
from bot.storage import DialogStore
from tests.botprocess import TOKEN
from tests.fuzz.checks import assert_sent_in_language
from tests.fuzz.conftest import FUZZ, RecordingBot, telegram
from tests.fuzz.localised import LocalisedText
from tests.fuzz.raw_updates import Json, raw_updates

BOT_ID = 4343
USER = {"id": 7, "is_bot": False, "first_name": "An"}
CHAT = {"id": 7, "type": "private", "first_name": "An"}
MESSAGE = {"message_id": 1, "date": 0, "chat": CHAT, "from": USER}
UNREADABLE = (ValueError, TypeError)  # what the webhook answers with 400 (bot/channels/telegram/webhook.py)


@dataclass(slots=True)
class Adapters:
    by_name: dict[str, TelegramAdapter]
    fronts: dict[str, tuple[TelegramFront, RecordingBot]]
    store: DialogStore


@pytest.fixture
async def adapters(
    redis: Redis, store: DialogStore, portal: PortalClient, catalogs: Catalogs,
) -> AsyncIterator[Adapters]:
    by_name = {name: make_adapter(name, TOKEN, "http://127.0.0.1:9") for name in ("aiogram", "ptb")}  # never called
    fronts = {}
    for number, name in enumerate(by_name):  # a bot each: both handle every update, in dialogs of their own
        bot = RecordingBot()
        rate = MessageRate(catalogs, limit=30, window=60)
        front, _switchboard = telegram(Assistant(store, portal, catalogs), catalogs, redis, BOT_ID + number, bot, rate)
        fronts[name] = (front, bot)
    yield Adapters(by_name, fronts, store)
    for adapter in by_name.values():
        await adapter.close()


def parse(adapter: TelegramAdapter, raw: Json) -> Any:
    try:
        return adapter.parse_update(raw)
    except UNREADABLE:
        return None  # the webhook answers 400 and Telegram does not send it again


update_ids = itertools.count(1)


@FUZZ
@given(case=raw_updates())
@example(case=({"update_id": 1, "message": {**MESSAGE, "text": 5}}, False))  # PTB took a number for text
@example(case=({"update_id": 1, "message": {**MESSAGE, "chat": None}}, False))  # PTB kept a chat of None
@example(case=({"update_id": 1, "message": {**MESSAGE, "reply_to_message": {"message_id": 1, "chat": CHAT}}},
               False))  # PTB: KeyError 'date' escaped the webhook as a 500
@example(case=({"update_id": 1, "message": {**MESSAGE, "text": "/start", "entities": [  # read from the JSON
    {"type": "bot_command", "offset": 0, "length": 6}]}}, True))
@example(case=({"update_id": 1, "message": {**MESSAGE, "contact": {  # read from the JSON
    "phone_number": "0821234088", "first_name": "An", "user_id": 7}}}, True))
@example(case=({"update_id": 1, "message": {**MESSAGE, "from": {**USER, "id": "7"}, "text": "Hi"}}, False))
@example(case=({"update_id": 1, "callback_query": {  # read from the JSON
    "id": "1", "from": USER, "chat_instance": "42", "data": "consent:agree",
    "message": {**MESSAGE, "date": 1, "from": {"id": 9, "is_bot": True, "first_name": "Bot"}, "text": "Đồng ý?",
                "reply_markup": {"inline_keyboard": [[{"text": "Tôi đồng ý", "callback_data": "consent:agree"}]]}}}},
    True))
@example(case=({"update_id": 1, "callback_query": {  # a press in the staff group on a message too old to be shown
    "id": "1", "from": USER, "chat_instance": "42", "data": "desk:resume:otp",
    "message": {"chat": {"id": -1001234567890, "type": "supergroup", "title": "Hỗ trợ"}, "message_id": 1, "date": 0}}},
    True))
async def test_any_update_is_read_the_same_by_both_frameworks_and_answered_or_ignored(
    adapters: Adapters, localised: LocalisedText, case: tuple[Json, bool],
) -> None:
    raw, well_formed = case
    raw = {**raw, "update_id": next(update_ids)}  # never a duplicate of an earlier case
    parsed = {name: parse(adapter, raw) for name, adapter in adapters.by_name.items()}
    readable = {name: update for name, update in parsed.items() if update is not None}
    event(f"readable by {len(readable)} of 2")
    if well_formed:
        assert len(readable) == 2, "an update Telegram could send was refused"
        aiogram, ptb = parsed["aiogram"], parsed["ptb"]
        assert read_update(aiogram, "1") == read_update(ptb, "1")
        assert read_other(aiogram) == read_other(ptb)
    if (citizen := read_citizen_update(raw)) is not None:
        event("read from the JSON")
        assert len(readable) == 2, "read from the JSON, though a framework refuses it"
        assert citizen.incoming("1", None) == read_update(parsed["aiogram"], "1") == read_update(parsed["ptb"], "1")
    for name, update in readable.items():
        front, bot = adapters.fronts[name]
        bot.calls.clear()
        await front.on_update(update)
        bot_id = BOT_ID + list(adapters.by_name).index(name)
        incoming = read_update(update, str(bot_id))
        if incoming is None:
            assert not bot.calls, "an ignored update was answered"
            event(f"{name}: ignored")
            continue
        event(f"{name}: {type(incoming.event).__name__}")
        dialog = await adapters.store.load(incoming.key)
        language = dialog.language if dialog else incoming.language or "vi"  # None: over the message rate
        assert_sent_in_language(bot.calls, language, localised)
