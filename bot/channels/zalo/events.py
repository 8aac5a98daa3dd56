"""Zalo's webhook events, read into what the core understands (`core.incoming.Incoming`).

A citizen's text is text or a command; an event named as assumptions.py's
PRESS_ARRIVES_AS whose text is a button's payload (payloads.py) is a press;
an image is a `Picture` the ID step may read; a `user_submit_info` (the
answer to the phone request) is the citizen's own contact; a follow is
`/start`. Stickers, voice, files and locations are content the bot does not
take. The OA's own messages echoed back
(`oa_send_*`) and anything unknown are ignored, and an unfollow is told
apart for the channel to treat like a Telegram user who blocked the bot.
Ids are strings; `timestamp` is a string of epoch milliseconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bot.channels.zalo import assumptions
from bot.channels.zalo.payloads import pressed_button
from bot.core.incoming import Attachment, Incoming
from bot.idcard.card_photos import read_picture
from bot.storage import DialogKey
from conversations.events import Command, Event, Picture, Pressed, SharedContact, Unsupported, read_text

IGNORED_PREFIX = "oa_send_"  # the OA's own messages, sender and recipient swapped
UNSUPPORTED = {"user_send_sticker": "sticker", "user_send_gif": "animation", "user_send_audio": "voice",
               "user_send_video": "video", "user_send_file": "document", "user_send_location": "location",
               "user_send_link": "link", "user_send_business_card": "contact_card"}


class UnreadableEvent(ValueError):
    """Not an event the webhook can take: no event name, no user, no timestamp."""


@dataclass(frozen=True, slots=True)
class ZaloEvent:
    """One webhook event, kept as Zalo sent it (`body`) with what the webhook needs to know of it."""

    name: str
    user_id: str
    event_id: str  # the message's msg_id; a follow or unfollow, which has none: `unnamed_id`
    timestamp_ms: int
    body: dict[str, Any]

    @property
    def ignored(self) -> bool:
        return self.name.startswith(IGNORED_PREFIX)

    @property
    def unfollowed(self) -> bool:
        return self.name == "unfollow"


def read_event(body: Any) -> ZaloEvent:
    if not isinstance(body, dict):
        raise UnreadableEvent("not a JSON object")
    name, timestamp = body.get("event_name"), body.get("timestamp")
    if not isinstance(name, str) or not name:
        raise UnreadableEvent("no event_name")
    try:
        timestamp_ms = int(str(timestamp))
    except ValueError:
        raise UnreadableEvent("no timestamp") from None
    who = body.get("follower") if name in ("follow", "unfollow") else body.get("sender")
    if name.startswith(IGNORED_PREFIX):
        who = body.get("recipient")
    user_id = str(who.get("id", "")) if isinstance(who, dict) else ""
    if not user_id:
        raise UnreadableEvent("no user")
    message = body.get("message")
    msg_id = str(message.get("msg_id", "")) if isinstance(message, dict) else ""
    return ZaloEvent(name, user_id, msg_id or unnamed_id(name, user_id, timestamp_ms), timestamp_ms, body)


def unnamed_id(name: str, user_id: str, timestamp_ms: int) -> str:
    """The id of an event Zalo gives none (a follow): its name, and a digest of its user and time, so that the id
    remembered after it (`ZaloKeys.seen`, 70 minutes, to refuse a repeat) and logged names no one, even once the
    citizen has deleted their data (/delete)."""
    return f"{name}:{hashlib.sha256(f'{user_id}:{timestamp_ms}'.encode()).hexdigest()[:24]}"


def to_incoming(event: ZaloEvent, channel: str, fetch_image: Callable[[str], Awaitable[bytes]]) -> Incoming | None:
    """What the core gets for `event` of the OA named `channel` (ZaloConfig.channel); None: nothing for it."""
    if event.ignored or event.unfollowed:
        return None
    url = _image_url(_message(event)) if event.name == "user_send_image" else None
    fetch = _once(partial(fetch_image, url)) if url is not None else None
    core = _core_event(event, fetch)
    if core is None:
        return None
    return Incoming(DialogKey(channel, event.user_id, event.user_id), core, event_id=event.event_id,
                    origin=Attachment(fetch) if fetch is not None else event.user_id)


def _once(fetch: Callable[[], Awaitable[bytes]]) -> Callable[[], Awaitable[bytes]]:
    """The picture downloaded on first use only: the ID step and the help desk may both want its bytes."""
    kept: list[bytes] = []

    async def fetch_once() -> bytes:
        if not kept:
            kept.append(await fetch())
        return kept[0]

    return fetch_once


def _message(event: ZaloEvent) -> dict[str, Any]:
    message = event.body.get("message")
    return message if isinstance(message, dict) else {}


def _core_event(event: ZaloEvent, fetch: Callable[[], Awaitable[bytes]] | None) -> Event | None:
    """`fetch`: the bytes of the image an image event carries (None: it carries none)."""
    message = _message(event)
    text = str(message.get("text", ""))
    if event.name == assumptions.PRESS_ARRIVES_AS:  # read here, so that the assumption is changed in one line
        button = pressed_button(text)
        if button is not None:
            return Pressed(button)
    match event.name:
        case "follow":
            return Command("start")
        case "user_send_text":
            return read_text(text)
        case "user_send_image":
            if fetch is None:
                return Unsupported("photo")
            return Picture("photo", partial(read_picture, fetch, None))
        case "user_submit_info":
            phone = _shared_phone(event.body.get("info") or message.get("info"))
            return SharedContact(phone, own=True) if phone else Unsupported("contact")
    return Unsupported(UNSUPPORTED.get(event.name, event.name.removeprefix("user_send_")))


def _image_url(message: dict[str, Any]) -> str | None:
    for attachment in message.get("attachments") or ():
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        url = payload.get("url") if isinstance(payload, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def _shared_phone(info: Any) -> str | None:
    """The phone of a `user_submit_info`, whether its `info` is flat or nests the address (sources differ).

    Zalo writes it as 84…; the phone step reads that form (and checks it is a Vietnamese mobile), and
    Zalo's form shares only the citizen's own number, so it is their own contact.
    """
    if not isinstance(info, dict):
        return None
    nested = info.get("info")
    phone = info.get("phone") or (nested.get("phone") if isinstance(nested, dict) else None)
    text = str(phone).strip() if phone else ""
    return text or None
