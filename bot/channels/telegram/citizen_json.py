"""A citizen's everyday update read straight from the Bot API's JSON; anything else left to the framework.

The tree reads a handful of fields of an update (the chat, the sender, the
text, contact or pressed button, the message ids), yet each framework builds
its whole object model for every update first: aiogram's pydantic models,
PTB's `Update.de_json` (80 and 280 µs of CPU an update in benchmarks/, a
twentieth and a tenth of the product's). So the updates a citizen sends
through the registration — a text or a command, a shared contact, a press on
one of the bot's buttons, in a private chat — are read here from the JSON
as it came, and the framework parses only the rest: group and help-desk
traffic, edits, pictures, anything unusual.

An update is read here only when every field it carries is one this module
knows, of the type the Bot API documents (`type(...) is int`, never a bool
or a string of digits): then both frameworks would have read it too, into
the same `Incoming` (tests/fuzz/test_adapters.py checks it on every kind of
update, well-formed or not). Any other key, a missing field, a wrong type,
a bot sender, a group chat: None, and the framework parses it as before,
refusals (400) included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.telegram.updates import Origin, language_of
from bot.channels.telegram.webhook_reply import WebhookReply
from bot.core.incoming import Incoming
from bot.storage import DialogKey
from conversations.dialog import Language
from conversations.events import Event, Pressed, SharedContact, read_text

LATEST_DATE = 10**10  # seconds (the year 2286): aiogram reads a larger number as milliseconds


@dataclass(frozen=True, slots=True)
class CitizenUpdate:
    """A citizen's update read from its JSON, the framework's Update never built; the front hands it on as an
    `Incoming` once it knows its bot and webhook response."""

    update_id: int
    chat_id: int
    user_id: int
    event: Event
    language: Language | None
    origin: Origin

    def incoming(self, bot: str, webhook_reply: WebhookReply | None) -> Incoming:
        origin = self.origin
        if webhook_reply is not None:  # built field by field: `dataclasses.replace` costs twice as much
            origin = Origin(origin.chat_id, origin.message_id, origin.callback_id, origin.keyboard_message_id,
                            origin.question, origin.pressed_label, origin.picture, webhook_reply)
        return Incoming(DialogKey(bot, str(self.chat_id), str(self.user_id)), self.event, self.language,
                        str(self.update_id), origin)


def parse_update(data: Any, framework_parse: Callable[[dict[str, Any]], Any]) -> Any:
    """The webhook's or the polling inbox's JSON, ready for `TelegramFront.on_update`: a `CitizenUpdate`, or else
    the framework's Update (which raises ValueError or TypeError for one it cannot read: the webhook's 400)."""
    return read_citizen_update(data) or framework_parse(data)


def read_citizen_update(data: Any) -> CitizenUpdate | None:
    """The update, if it is a citizen's text, command, contact or press in a private chat, of fields this module
    knows; else None."""
    if type(data) is not dict or type(data.get("update_id")) is not int:
        return None
    if data.keys() == {"update_id", "message"}:
        return _message_update(data["update_id"], data["message"])
    if data.keys() == {"update_id", "callback_query"}:
        return _press_update(data["update_id"], data["callback_query"])
    return None


# Each object's fields: name → whether it is required, and the check of its value.
Check = Callable[[Any], bool]
Fields = Mapping[str, tuple[bool, Check]]


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_str(value: Any) -> bool:
    return type(value) is str


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _is_date(value: Any) -> bool:
    return type(value) is int and 0 <= value < LATEST_DATE


def _is_shown_date(value: Any) -> bool:
    """A pressed message's date: 0 says the message is too old to be shown (the frameworks read an
    InaccessibleMessage, without text or keyboard)."""
    return type(value) is int and 0 < value < LATEST_DATE


_PLAIN: dict[Check, type] = {_is_int: int, _is_str: str, _is_bool: bool}


def _has(fields: Fields) -> Check:
    """An object with exactly these fields' kinds: every required one, no other.

    The names are compared as sets (in C) and only the fields present are checked: this runs for every
    object of every citizen's update."""
    names = frozenset(fields)
    required = frozenset(name for name, (needed, _) in fields.items() if needed)
    # a plain type's check is made inline (no call): most fields are an int, a string or a bool
    checks: dict[str, type | Check] = {name: _PLAIN.get(valid, valid) for name, (_, valid) in fields.items()}

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return False
        keys = value.keys()
        if not required <= keys or not keys <= names:
            return False
        for name, item in value.items():
            kind = checks[name]
            if type(kind) is type:
                if type(item) is not kind:
                    return False
            elif not kind(item):  # a Check
                return False
        return True
    return check


def _list_of(valid: Check) -> Check:
    return lambda value: type(value) is list and all(valid(item) for item in value)


USER: Fields = {
    "id": (True, _is_int), "is_bot": (True, _is_bool), "first_name": (True, _is_str), "last_name": (False, _is_str),
    "username": (False, _is_str), "language_code": (False, _is_str), "is_premium": (False, _is_bool),
    "added_to_attachment_menu": (False, _is_bool),
    **{name: (False, _is_bool) for name in (  # a bot's own (getMe's), as in a pressed message's sender
        "can_join_groups", "can_read_all_group_messages", "supports_inline_queries", "can_connect_to_business",
        "has_main_web_app")},
}
PRIVATE_CHAT: Fields = {
    "id": (True, _is_int), "type": (True, lambda value: value == "private"), "first_name": (False, _is_str),
    "last_name": (False, _is_str), "username": (False, _is_str),
}
ENTITY: Fields = {
    "type": (True, _is_str), "offset": (True, _is_int), "length": (True, _is_int), "url": (False, _is_str),
    "language": (False, _is_str), "custom_emoji_id": (False, _is_str),
}
CONTACT: Fields = {
    "phone_number": (True, _is_str), "first_name": (True, _is_str), "last_name": (False, _is_str),
    "user_id": (False, _is_int), "vcard": (False, _is_str),
}
BUTTON: Fields = {
    "text": (True, _is_str), "callback_data": (False, _is_str), "url": (False, _is_str),
    "web_app": (False, _has({"url": (True, _is_str)})),
}
INLINE_KEYBOARD: Fields = {"inline_keyboard": (True, _list_of(_list_of(_has(BUTTON))))}
_ENVELOPE: Fields = {"message_id": (True, _is_int), "date": (True, _is_date), "chat": (True, _has(PRIVATE_CHAT))}
CITIZEN_TEXT: Fields = {**_ENVELOPE, "from": (True, _has(USER)), "text": (True, _is_str),
                        "entities": (False, _list_of(_has(ENTITY)))}
CITIZEN_CONTACT: Fields = {**_ENVELOPE, "from": (True, _has(USER)), "contact": (True, _has(CONTACT))}
BOT_QUESTION: Fields = {  # the bot's message whose button was pressed
    **_ENVELOPE, "date": (True, _is_shown_date), "from": (False, _has(USER)), "text": (False, _is_str),
    "entities": (False, _list_of(_has(ENTITY))),
    "reply_markup": (False, _has(INLINE_KEYBOARD)), "edit_date": (False, _is_int),
}
PRESS: Fields = {
    "id": (True, _is_str), "from": (True, _has(USER)), "chat_instance": (True, _is_str), "data": (True, _is_str),
    "message": (True, _has(BOT_QUESTION)),
}
_is_text, _is_contact, _is_press = _has(CITIZEN_TEXT), _has(CITIZEN_CONTACT), _has(PRESS)


def _message_update(update_id: int, message: Any) -> CitizenUpdate | None:
    event: Event
    if _is_text(message):
        user = message["from"]
        event = read_text(message["text"])
    elif _is_contact(message):
        user, contact = message["from"], message["contact"]
        event = SharedContact(contact["phone_number"], own=contact.get("user_id") == user["id"])
    else:
        return None
    if user["is_bot"]:
        return None
    chat_id = message["chat"]["id"]
    return CitizenUpdate(update_id, chat_id, user["id"], event, language_of(user.get("language_code")),
                         Origin(chat_id, message["message_id"]))


def _press_update(update_id: int, query: Any) -> CitizenUpdate | None:
    if not _is_press(query):
        return None
    message, user, data = query["message"], query["from"], query["data"]
    chat_id = message["chat"]["id"]
    return CitizenUpdate(update_id, chat_id, user["id"], Pressed(data[:64]), language_of(user.get("language_code")),
                         Origin(chat_id, callback_id=query["id"], keyboard_message_id=message["message_id"],
                                question=message.get("text"), pressed_label=_label(message, data)))


def _label(message: dict[str, Any], data: str) -> str | None:
    """The label of the first button carrying `data` on the pressed message, as `updates._label` reads it."""
    for row in message.get("reply_markup", {}).get("inline_keyboard", ()):
        for button in row:
            if button.get("callback_data") == data:
                return str(button["text"])
    return None
