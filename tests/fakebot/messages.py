"""Chats and messages as the fake Telegram keeps them, and the rules Telegram applies to what a bot sends.

A chat holds its messages as they look now (edits applied, deleted ones
moved aside) plus the reply keyboard its user currently sees, so a test can
ask "what does the chat look like" instead of replaying calls. The checks
here (text length, keyboard shape, callback data size, HTML) are the ones a
real bot trips over, with Telegram's own error wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.fakebot.wire import bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
DEFAULT_ICON_COLOR = 7322096  # a new forum topic's icon is blue unless asked otherwise
# What a message carries besides its envelope: copied by copyMessage/forwardMessage.
ENVELOPE = frozenset({
    "message_id", "message_thread_id", "date", "chat", "from", "sender_chat", "edit_date", "reply_markup",
    "reply_to_message", "forward_origin", "is_topic_message", "via_bot", "author_signature", "media_group_id",
})
SERVICE_FIELDS = frozenset({"forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
                            "new_chat_members", "left_chat_member", "pinned_message"})
# Inline buttons need exactly one action; a button with only text is refused.
INLINE_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                  "callback_game", "pay")
HTML_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
                       "tg-emoji", "code", "pre", "blockquote", "tg-time"})


@dataclass(slots=True)
class Topic:
    """A forum topic, known by the id of the service message that opened it (its message_thread_id)."""

    name: str
    icon_color: int = DEFAULT_ICON_COLOR
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "icon_color": self.icon_color, "icon_custom_emoji_id": self.icon_custom_emoji_id,
                "closed": self.closed, "deleted": self.deleted}


@dataclass(slots=True)
class ChatState:
    """One chat: its live messages by id, those deleted, the reply keyboard on the user's screen, its topics."""

    info: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    # A one-time keyboard its user pressed: the app hides it, yet it stays a tap away until taken.
    reply_keyboard_hidden: bool = False
    # Sent with a reply keyboard, its removal or force_reply: Telegram edits only messages without reply_markup or
    # with an inline keyboard, and answers "message can't be edited" (node-telegram-bot-api#755).
    uneditable: set[int] = field(default_factory=set)
    next_message_id: int = 1
    topics: dict[int, Topic] = field(default_factory=dict)  # by message_thread_id, deleted ones kept

    @property
    def is_forum(self) -> bool:
        return self.info.get("is_forum") is True

    def allocate(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def store(self, message: dict[str, Any]) -> None:
        self.messages[message["message_id"]] = message
        self.next_message_id = max(self.next_message_id, message["message_id"] + 1)

    def live(self) -> list[dict[str, Any]]:
        return [self.messages[message_id] for message_id in sorted(self.messages)]

    def delete(self, message_id: int) -> dict[str, Any] | None:
        message = self.messages.pop(message_id, None)
        if message is not None:
            self.deleted.append(message)
        return message

    def delete_topic(self, thread_id: int) -> None:
        """The topic goes, and every message in it (the bot's and people's) becomes a deleted message."""
        for message in self.live():
            if message.get("message_thread_id") == thread_id:
                self.delete(message["message_id"])
        self.topics[thread_id].deleted = True

    def note_topic_event(self, message: dict[str, Any]) -> None:
        """Follow a forum service message someone else posted (a staff member opening or closing a topic)."""
        thread_id = message.get("message_thread_id")
        if not isinstance(thread_id, int):
            return
        if isinstance(created := message.get("forum_topic_created"), dict):
            color = int(created.get("icon_color", DEFAULT_ICON_COLOR))
            self.topics[thread_id] = Topic(str(created.get("name", "")), color, created.get("icon_custom_emoji_id"))
        topic = self.topics.get(thread_id)
        if topic is None:
            return
        if isinstance(edited := message.get("forum_topic_edited"), dict):
            topic.name = edited.get("name", topic.name)
            if "icon_custom_emoji_id" in edited:
                topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] or None
        if "forum_topic_closed" in message or "forum_topic_reopened" in message:
            topic.closed = "forum_topic_closed" in message


def synthetic_chat(chat_id: int) -> dict[str, Any]:
    """A Chat object for an id nobody introduced (only without strict chats): private, group or supergroup."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "User"}
    if str(chat_id).startswith("-100"):
        return {"id": chat_id, "type": "supergroup", "title": "Group"}
    return {"id": chat_id, "type": "group", "title": "Group"}


def utf16_length(text: str) -> int:
    """Telegram counts text in UTF-16 code units (an emoji can count 2)."""
    return len(text.encode("utf-16-le")) // 2


def inline_rows(message: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    if not message:
        return []
    return list((message.get("reply_markup") or {}).get("inline_keyboard") or [])


def find_button(message: dict[str, Any], wanted: str) -> dict[str, Any] | None:
    """The inline button whose label or callback data is `wanted`."""
    for row in inline_rows(message):
        for button in row:
            if wanted in (button.get("text"), button.get("callback_data")):
                return button
    return None


def check_markup(markup: Any) -> dict[str, Any] | None:
    """The reply markup as Telegram would accept it, or its 400. Empty markup is no markup."""
    if markup is None or markup == "":
        return None
    if isinstance(markup, str):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if markup.get("inline_keyboard"):
        for row in _rows(markup["inline_keyboard"], "inline_keyboard"):
            for button in row:
                _check_inline_button(button)
        return markup
    if markup.get("keyboard"):
        for row in _rows(markup["keyboard"], "keyboard"):
            for button in row:
                labelled = isinstance(button, dict) and isinstance(button.get("text"), str)
                if not isinstance(button, str) and not labelled:
                    raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    return None


def _rows(rows: Any, name: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{name}" must be an Array of Arrays')
    return rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not any(button.get(action) not in (None, "") for action in INLINE_ACTIONS):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")
    web_app = button.get("web_app")
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if web_app is not None and not (isinstance(url, str) and url.startswith("https://")):
        raise bad_request(f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def check_text(text: str, parse_mode: str | None, *, caption: bool = False) -> str:
    """The text as the chat will show it (HTML tags stripped), or Telegram's 400 for it."""
    shown = html_text(text) if (parse_mode or "").upper() == "HTML" else text
    if not caption and not shown.strip():
        raise bad_request("message text is empty")
    if utf16_length(shown) > (MAX_CAPTION if caption else MAX_TEXT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    return shown


class _HtmlText(HTMLParser):
    """Telegram's HTML subset: the visible text, or a refusal naming the tag it cannot parse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS and self.error is None:
            self.error = f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if (not self.open or self.open[-1] != tag) and self.error is None:
            self.error = f'Unmatched end tag "{tag}"'
        elif self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(text: str) -> str:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    if parser.error is not None:
        raise bad_request(f"can't parse entities: {parser.error}")
    return "".join(parser.parts)
