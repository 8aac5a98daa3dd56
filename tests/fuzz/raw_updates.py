"""Telegram updates as raw JSON, well-formed or not, for the framework adapters' parsers.

Most are updates Telegram could really send — every content kind, contacts,
button presses (with data that was never sent, or on a message too old to
be shown), edits, channel posts, group traffic, kinds of update the bot does
not ask for — with hostile text in every text field. Some are then broken:
a field removed, or given a value of the wrong type, as a forged or
corrupted webhook call would carry.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.hostile import callback_data, command_text, hostile_text

Json = dict[str, Any]

INT64 = st.integers(-(2**63), 2**63 - 1)
USER_IDS = st.one_of(st.integers(1, 10**6), st.integers(1, 2**52), st.just(1001))
JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), INT64, st.floats(allow_nan=True), st.text(max_size=10), st.just([]), st.just({}),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))


def _file(**more: Any) -> Json:
    return {"file_id": "AgAD", "file_unique_id": "AQAD", **more}


PHOTO = [_file(width=90, height=68, file_size=1804), _file(width=1280, height=960, file_size=104_211)]
IMAGE_DOCUMENT = _file(file_name="cccd.jpg", mime_type="image/jpeg", file_size=2_412_034)  # read as a picture
CONTENT: dict[str, Json] = {
    "animation": _file(width=320, height=240, duration=3),
    "audio": _file(duration=120),
    "document": _file(file_name="giay-to.pdf", mime_type="application/pdf"),
    "photo": PHOTO,  # type: ignore[dict-item]
    "sticker": _file(type="regular", width=512, height=512, is_animated=False, is_video=False, emoji="👍"),
    "story": {"chat": {"id": -1001, "type": "channel", "title": "Tin tức"}, "id": 7},
    "video": _file(width=640, height=480, duration=10),
    "video_note": _file(length=240, duration=5),
    "voice": _file(duration=4),
    "location": {"latitude": 21.0285, "longitude": 105.8542},
    "venue": {"location": {"latitude": 21.0285, "longitude": 105.8542}, "title": "Hồ Gươm", "address": "Hà Nội"},
    "poll": {"id": "1", "question": "?", "options": [{"persistent_id": "0", "text": "a", "voter_count": 0}],
             "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
             "allows_multiple_answers": False, "allows_revoting": False, "members_only": False},  # Bot API 10.0
    "dice": {"emoji": "🎲", "value": 4},
    "game": {"title": "Trò chơi", "description": "…", "photo": PHOTO},
    "invoice": {"title": "Lệ phí", "description": "…", "start_parameter": "x", "currency": "VND",
                "total_amount": 10000},
    "paid_media": {"star_count": 1, "paid_media": [{"type": "preview"}]},
}


@st.composite
def _user(draw: st.DrawFn, user_id: int | None = None) -> Json:
    user: Json = {"id": user_id if user_id is not None else draw(USER_IDS),
                  "is_bot": draw(st.sampled_from([False] * 9 + [True])), "first_name": draw(hostile_text())}
    if draw(st.booleans()):
        user["language_code"] = draw(st.one_of(st.sampled_from(["vi", "en", "vi-VN", "en-US", "ru", "", "VI"]),
                                               st.text(max_size=8)))
    return user


@st.composite
def _chat(draw: st.DrawFn, user: Json) -> Json:
    kind = draw(st.sampled_from(["private"] * 7 + ["group", "supergroup", "channel"]))
    if kind == "private":
        return {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    return {"id": draw(st.integers(-(10**13), -1)), "type": kind, "title": draw(hostile_text())}


@st.composite
def _message(draw: st.DrawFn, user: Json | None = None) -> Json:
    user = user or draw(_user())
    message: Json = {"message_id": draw(st.integers(1, 2**31 - 1)), "date": draw(st.integers(0, 2**31 - 1)),
                     "chat": draw(_chat(user)), "from": user}
    kind = draw(st.sampled_from(["text", "command", "contact", "content", "caption", "nothing"]))
    if kind == "text":
        message["text"] = draw(hostile_text())
    elif kind == "command":
        message["text"] = draw(command_text())
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": draw(st.integers(0, 70))}]
    elif kind == "contact":
        own = draw(st.booleans())
        message["contact"] = {"phone_number": draw(hostile_text()), "first_name": draw(hostile_text()),
                              **({"user_id": user["id"] if own else draw(USER_IDS)} if draw(st.booleans()) else {})}
    elif kind in ("content", "caption"):
        name = draw(st.sampled_from(sorted(CONTENT)))
        message[name] = IMAGE_DOCUMENT if name == "document" and draw(st.booleans()) else CONTENT[name]
        if kind == "caption":
            message["caption"] = draw(hostile_text())
    if draw(st.integers(0, 9)) == 0:
        message["reply_to_message"] = {"message_id": 1, "date": 0, "chat": message["chat"]}
    if draw(st.integers(0, 9)) == 0:
        message["forward_origin"] = {"type": "hidden_user", "date": 0, "sender_user_name": draw(hostile_text())}
    return message


@st.composite
def _press(draw: st.DrawFn) -> Json:
    user = draw(_user())
    shown: Json = draw(st.one_of(
        _message(user),
        st.builds(lambda chat: {"chat": chat, "message_id": 1, "date": 0}, _chat(user)),  # inaccessible: too old
    ))
    query: Json = {"id": str(draw(st.integers(1, 2**63))), "from": user, "chat_instance": "42", "message": shown}
    choice = draw(st.integers(0, 9))
    if choice < 8:
        query["data"] = draw(callback_data())
    elif choice == 8:
        query["game_short_name"] = "game"
    else:
        del query["message"]
        query["inline_message_id"] = "AAA"
    return query


@st.composite
def well_formed(draw: st.DrawFn) -> Json:
    kind = draw(st.sampled_from(["message"] * 6 + ["callback_query"] * 3 + [
        "edited_message", "channel_post", "my_chat_member", "inline_query", "something_new"]))
    update: Json = {"update_id": draw(st.integers(1, 2**31 - 1))}
    if kind in ("message", "edited_message", "channel_post"):
        body = draw(_message())
        if kind == "edited_message":
            body["edit_date"] = body["date"]
        if kind == "channel_post":
            del body["from"]
        update[kind] = body
    elif kind == "callback_query":
        update[kind] = draw(_press())
    elif kind == "my_chat_member":
        user = draw(_user())
        member = {"user": user, "status": "member"}
        update[kind] = {"chat": draw(_chat(user)), "from": user, "date": 0, "old_chat_member": member,
                        "new_chat_member": {**member, "status": "kicked", "until_date": 0}}
    elif kind == "inline_query":
        update[kind] = {"id": "1", "from": draw(_user()), "query": draw(hostile_text()), "offset": ""}
    else:
        update[kind] = draw(JUNK)
    return update


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


@st.composite
def broken(draw: st.DrawFn) -> Json:
    """A well-formed update with one to three fields removed or given a value of the wrong type."""
    update = copy.deepcopy(draw(well_formed()))  # the content samples above are shared
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(update)
        if not paths:
            break
        *parent_path, last = draw(st.sampled_from(paths))
        parent: Any = update
        for step in parent_path:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = draw(JUNK)
    return update


def raw_updates() -> st.SearchStrategy[tuple[Json, bool]]:
    """Updates, each with whether it is well-formed (the frameworks may coerce a broken one differently)."""
    return st.one_of(well_formed().map(lambda update: (update, True)), broken().map(lambda update: (update, False)))
