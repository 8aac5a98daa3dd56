"""A Telegram update, read into the tree's terms.

aiogram and python-telegram-bot both model updates with the Bot API's own
field names (`message.chat.id`, `from_user`, `callback_query.data`, …), so
one reader serves both frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.channels.telegram.webhook_reply import WebhookReply
from bot.core.incoming import Incoming
from bot.storage import DialogKey
from conversations.dialog import Language
from conversations.events import Event, Pressed, SharedContact, Unsupported, read_text

# Content a citizen can send that is not text, in the order Telegram documents them.
CONTENT_KINDS = (
    "animation", "audio", "document", "photo", "sticker", "story", "video", "video_note", "voice",
    "location", "venue", "poll", "dice", "game", "invoice",
)


# Messages Telegram writes about a chat, not from a person: never relayed, never a claim.
SERVICE_KINDS = (
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "general_forum_topic_hidden", "general_forum_topic_unhidden", "new_chat_members", "left_chat_member",
    "pinned_message", "new_chat_title", "new_chat_photo", "delete_chat_photo",
)


@dataclass(frozen=True, slots=True)
class PictureFile:
    """A picture the citizen sent, as Telegram keeps it: fetched by `file_id` only if the step wants it.

    A photo is compressed by Telegram (the largest of its sizes is the one read here); an image sent as a
    file (`document`) arrives as it was, and may be large. `size` is in bytes, None when Telegram omits it.
    """

    file_id: str
    size: int | None
    kind: Literal["photo", "document"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where in Telegram an event came from: what answering it touches (`Incoming.origin`)."""

    chat_id: int
    message_id: int | None = None  # the citizen's message, e.g. to delete an OTP
    callback_id: str | None = None  # a button press to answer
    keyboard_message_id: int | None = None  # the bot message whose button was pressed
    question: str | None = None  # that message's text, to show the choice under (None: not a text message)
    pressed_label: str | None = None  # the label of the button pressed on it, as the citizen saw it
    picture: PictureFile | None = None  # a photo, or an image sent as a file (issue 9: the QR code of a CCCD)
    webhook_reply: WebhookReply | None = None  # the webhook response that may carry a call (None: polled)


def origin_of(incoming: Incoming) -> Origin:
    """The Telegram side of an event; one that came by no update (the form, staff) has only its chat."""
    origin = incoming.origin
    return origin if isinstance(origin, Origin) else Origin(int(incoming.key.chat))


def language_of(code: str | None) -> Language | None:
    if not code or not isinstance(code, str):
        return None
    base = code.split("-")[0].lower()
    return "vi" if base == "vi" else "en" if base == "en" else None


def read_update(update: Any, bot: str, webhook_reply: WebhookReply | None = None) -> Incoming | None:
    """The update as an `Incoming` for a dialog of `bot` (its id), or None for updates the assistant ignores
    (edits, groups, bots). `webhook_reply`: the response of the webhook request that brought it.

    Also None for a malformed update: python-telegram-bot does not check the JSON's types, so a forged
    one could carry a number where text belongs (found by tests/fuzz); aiogram refuses those itself.
    """
    if update.callback_query is not None:
        return _read_callback(update.update_id, update.callback_query, bot, webhook_reply)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    if message.chat is None or message.chat.type != "private":
        return None
    user = message.from_user
    event = _read_message(message, user.id)
    if event is None or not _are_ids(update.update_id, message.chat.id, user.id, message.message_id):
        return None
    picture = _read_picture(message, event.kind) if isinstance(event, Unsupported) else None
    return Incoming(DialogKey(bot, str(message.chat.id), str(user.id)), event, language_of(user.language_code),
                    str(update.update_id),
                    Origin(message.chat.id, message.message_id, picture=picture, webhook_reply=webhook_reply))


def _read_message(message: Any, user_id: int) -> Event | None:
    if message.text is not None:
        text = _text(message.text)
        return read_text(text) if text is not None else None
    if message.contact is not None:
        phone = _text(message.contact.phone_number)
        return SharedContact(phone, own=message.contact.user_id == user_id) if phone is not None else None
    kind = next((kind for kind in CONTENT_KINDS if getattr(message, kind, None)), "other")
    return Unsupported(kind)


def _read_picture(message: Any, kind: str) -> PictureFile | None:
    """The largest size of a photo, or a document whose MIME type says image; None for anything else
    (an animation carries a `document` too), and for a file whose fields are not what Telegram sends
    (a forged update: PTB reads it unchecked)."""
    if kind == "photo":
        sizes = list(message.photo)
        if not all(_are_ids(size.width, size.height) for size in sizes):
            return None
        return _picture(max(sizes, key=lambda size: size.width * size.height), "photo")
    mime_type = _text(message.document.mime_type) if kind == "document" else None
    return _picture(message.document, "document") if mime_type and mime_type.lower().startswith("image/") else None


def _picture(file: Any, kind: Literal["photo", "document"]) -> PictureFile | None:
    file_id, size = _text(file.file_id), file.file_size
    if not file_id or not (size is None or (type(size) is int and size >= 0)):
        return None
    return PictureFile(file_id, size, kind)


def _read_callback(update_id: int, query: Any, bot: str, webhook_reply: WebhookReply | None) -> Incoming | None:
    message, user, data = query.message, query.from_user, _text(query.data)
    if message is None or message.chat is None or message.chat.type != "private" or data is None or user is None:
        return None
    if not _are_ids(update_id, message.chat.id, user.id, message.message_id) or _text(query.id) is None:
        return None
    return Incoming(DialogKey(bot, str(message.chat.id), str(user.id)), Pressed(data[:64]),
                    language_of(user.language_code), str(update_id),
                    Origin(message.chat.id, callback_id=query.id, keyboard_message_id=message.message_id,
                           question=_text(getattr(message, "text", None)), pressed_label=_label(message, data),
                           webhook_reply=webhook_reply))


def _label(message: Any, data: str) -> str | None:
    """The label of the button carrying `data` on the pressed message; None if it is not there as Telegram
    sends it (an InaccessibleMessage has no keyboard; PTB reads a forged update unchecked)."""
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None)
    if not isinstance(rows, list | tuple):
        return None
    for row in rows:
        for button in row if isinstance(row, list | tuple) else ():
            if getattr(button, "callback_data", None) == data:
                return _text(getattr(button, "text", None))
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _are_ids(*values: object) -> bool:
    return all(isinstance(value, int) for value in values)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class GroupPost:
    """A message (or an edit of one) in a group the bot is in: for the help desk."""

    chat_id: int
    thread_id: int | None  # the forum topic; None in the General topic
    message_id: int
    sender: Person
    text: str | None  # text or caption
    edited: bool = False
    replied_to: Person | None = None  # the sender of the message this one answers
    mentioned: Person | None = None  # a user named by a text_mention (people without a @username)
    picture: PictureFile | None = None  # a photo, or an image sent as a file (for a citizen with nothing to copy)


@dataclass(frozen=True, slots=True)
class GroupPress:
    """A button pressed on a bot message in a group."""

    chat_id: int
    thread_id: int | None
    message_id: int
    sender: Person
    data: str
    callback_id: str


@dataclass(frozen=True, slots=True)
class PrivateEdit:
    """A citizen edited a text message they had sent the bot."""

    chat_id: int
    user_id: int
    message_id: int
    text: str


def read_other(update: Any) -> GroupPost | GroupPress | PrivateEdit | None:
    """What `read_update` leaves aside and the help desk needs: group traffic and citizens' edits."""
    query = update.callback_query
    if query is not None:
        message, data = query.message, _text(query.data)
        if message is None or message.chat is None or message.chat.type == "private" or data is None \
                or query.from_user is None:
            return None
        return GroupPress(message.chat.id, _thread(message), message.message_id, _person(query.from_user),
                          data[:64], query.id)
    edited = update.edited_message is not None
    message = update.edited_message if edited else update.message
    if message is None or message.chat is None or message.from_user is None or message.from_user.is_bot:
        return None
    if any(getattr(message, kind, None) for kind in SERVICE_KINDS):
        return None
    if message.chat.type == "private":
        text = _text(message.text)
        return PrivateEdit(message.chat.id, message.from_user.id, message.message_id, text) \
            if edited and text is not None else None
    replied = message.reply_to_message
    replied_to = _person(replied.from_user) if replied is not None and replied.from_user is not None \
        and not _is_topic_start(message, replied) else None
    mention = next((entity.user for entity in message.entities or () if entity.type == "text_mention"), None)
    kind = "photo" if getattr(message, "photo", None) else "document" if getattr(message, "document", None) else None
    return GroupPost(message.chat.id, _thread(message), message.message_id, _person(message.from_user),
                     _text(message.text) if message.text is not None else _text(message.caption), edited, replied_to,
                     _person(mention) if mention is not None else None,
                     _read_picture(message, kind) if kind is not None else None)


def _person(user: Any) -> Person:
    return Person(user.id, user.first_name, user.username)


def _thread(message: Any) -> int | None:
    """The forum topic; a press on a message too old for Telegram to show (InaccessibleMessage) has none."""
    return message.message_thread_id if getattr(message, "is_topic_message", False) else None


def _is_topic_start(message: Any, replied: Any) -> bool:
    """In a forum, every message "replies" to its topic's first message; that is no reply at all."""
    return bool(message.is_topic_message) and replied.message_id == message.message_thread_id
