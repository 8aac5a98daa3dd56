"""A citizen's update read straight from its JSON (`citizen_json.py`) reads as both frameworks read it.

The updates a citizen sends through the registration — text, commands,
contacts, presses on the bot's buttons — with hostile text in every field,
then broken (a field removed, or given a value of the wrong type): each one
the JSON reader takes must be one aiogram and python-telegram-bot both parse
(not a 400 before) into the same `Incoming`; anything it leaves goes to the
framework as before. No Redis and no front: the readers only.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.citizen_json import read_citizen_update
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.telegram.updates import read_update
from bot.channels.telegram.webhook_reply import WebhookReply
from tests.botprocess import TOKEN
from tests.fuzz.conftest import FUZZ
from tests.fuzz.hostile import callback_data, command_text, hostile_text
from tests.fuzz.raw_updates import JUNK, USER_IDS, Json, _paths

UNREADABLE = (ValueError, TypeError)  # what the webhook answers with 400 (bot/channels/telegram/webhook.py)
DATES = st.integers(0, 2**31 - 1)


@pytest.fixture(scope="module")
def frameworks() -> Iterator[dict[str, TelegramAdapter]]:
    yield {name: make_adapter(name, TOKEN, "http://127.0.0.1:9") for name in ("aiogram", "ptb")}  # never called


@st.composite
def _user(draw: st.DrawFn, is_bot: bool = False) -> Json:
    user: Json = {"id": draw(USER_IDS), "is_bot": is_bot, "first_name": draw(hostile_text())}
    for name in ("last_name", "username", "language_code"):
        if draw(st.booleans()):
            user[name] = draw(st.one_of(st.sampled_from(["vi", "en", "vi-VN"]), hostile_text()))
    if draw(st.booleans()):
        user["is_premium"] = True
    return user


def _chat(user: Json) -> Json:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


@st.composite
def _citizen_message(draw: st.DrawFn) -> Json:
    user = draw(_user())
    message: Json = {"message_id": draw(st.integers(1, 2**31 - 1)), "date": draw(DATES), "chat": _chat(user),
                     "from": user}
    kind = draw(st.sampled_from(["text", "command", "contact"]))
    if kind == "text":
        message["text"] = draw(hostile_text())
    elif kind == "command":
        message["text"] = draw(command_text())
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": draw(st.integers(0, 70))}]
    else:
        own = draw(st.booleans())
        message["contact"] = {"phone_number": draw(hostile_text()), "first_name": draw(hostile_text()),
                              **({"user_id": user["id"] if own else draw(USER_IDS)} if draw(st.booleans()) else {})}
    return message


@st.composite
def _press(draw: st.DrawFn) -> Json:
    user, bot = draw(_user()), draw(_user(is_bot=True))
    data = draw(callback_data())
    labels = draw(st.lists(hostile_text(), min_size=1, max_size=3))
    rows = [[{"text": label, "callback_data": draw(st.one_of(st.just(data), callback_data()))} for label in labels]]
    shown: Json = {"message_id": draw(st.integers(1, 2**31 - 1)), "from": bot, "chat": _chat(user),
                   "date": draw(DATES), "text": draw(hostile_text()), "reply_markup": {"inline_keyboard": rows}}
    return {"id": str(draw(st.integers(1, 2**63))), "from": user, "chat_instance": "42", "message": shown,
            "data": data}


@st.composite
def everyday(draw: st.DrawFn) -> Json:
    if draw(st.booleans()):
        return {"update_id": draw(st.integers(1, 2**31 - 1)), "message": draw(_citizen_message())}
    return {"update_id": draw(st.integers(1, 2**31 - 1)), "callback_query": draw(_press())}


@st.composite
def everyday_broken(draw: st.DrawFn) -> Json:
    """An everyday update with a field removed, given a value of the wrong type, or one more field."""
    update = copy.deepcopy(draw(everyday()))
    *parent_path, last = draw(st.sampled_from(_paths(update)))
    parent: Any = update
    for step in parent_path:
        parent = parent[step]
    action = draw(st.sampled_from(["remove", "junk", "add"]))
    if isinstance(parent, dict) and action == "remove":
        del parent[last]
    elif isinstance(parent, dict) and action == "add":
        parent[draw(st.sampled_from(["photo", "caption", "reply_to_message", "is_forum", "user", "edit_date"]))] = \
            draw(JUNK)
    else:
        parent[last] = draw(JUNK)
    return update


def _parsed(adapter: TelegramAdapter, raw: Json) -> Any:
    try:
        return adapter.parse_update(raw)
    except UNREADABLE:
        return None


@FUZZ
@given(raw=st.one_of(everyday(), everyday_broken()))
def test_an_update_read_from_its_json_reads_as_both_frameworks_read_it(
    frameworks: dict[str, TelegramAdapter], raw: Json,
) -> None:
    citizen = read_citizen_update(raw)
    event("read from the JSON" if citizen is not None else "left to the framework")
    if citizen is None:
        return
    aiogram, ptb = (_parsed(adapter, raw) for adapter in frameworks.values())
    assert aiogram is not None and ptb is not None, "read from the JSON, though a framework refuses it (400)"
    assert citizen.incoming("1", None) == read_update(aiogram, "1") == read_update(ptb, "1")
    reply = WebhookReply()  # by webhook: the same, with the response that may carry a call
    assert citizen.incoming("1", reply) == read_update(aiogram, "1", reply) == read_update(ptb, "1", reply)


@pytest.mark.parametrize("raw", [
    {"update_id": 1, "edited_message": {"message_id": 1, "date": 1, "edit_date": 2, "text": "x",
                                        "chat": {"id": 7, "type": "private"},
                                        "from": {"id": 7, "is_bot": False, "first_name": "An"}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 1, "photo": [], "chat": {"id": 7, "type": "private"},
                                 "from": {"id": 7, "is_bot": False, "first_name": "An"}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x", "chat": {"id": -100, "type": "supergroup"},
                                 "from": {"id": 7, "is_bot": False, "first_name": "An"}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x", "chat": {"id": 7, "type": "private"},
                                 "from": {"id": 7, "is_bot": True, "first_name": "Bot"}}},
    {"update_id": True, "message": {}},
    ["update_id", 1],
    "an update",
], ids=["an edit", "a photo", "a group", "a bot", "a bool for an id", "a list", "a string"])
def test_what_a_citizen_does_not_send_in_the_registration_is_left_to_the_framework(raw: Any) -> None:
    assert read_citizen_update(raw) is None
