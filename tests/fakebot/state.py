"""What the fake Telegram knows about one bot's world: its chats, users, files, settings and callbacks.

`BotState` is the part of `FakeBotAPI` without HTTP: method handlers change
it through the helpers at the bottom, tests read it through the views
(chats as they look now, messages as sent). Every change wakes the
`Signal`, so waiters (long polls, the webhook loop, citizens waiting for a
reply) need no sleeping or polling.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any, TypeVar

from tests.fakebot.flood import GroupFlood
from tests.fakebot.messages import SERVICE_FIELDS, ChatState, Topic, find_button, synthetic_chat
from tests.fakebot.wire import ApiError, Upload, bad_request

T = TypeVar("T")
DEFAULT_TOKEN = "123456:" + "A" * 35
TOKEN_FORMAT = re.compile(r"(\d+):[A-Za-z0-9_-]{35}")
BLOCKED = "Forbidden: bot was blocked by the user"
MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")
ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
                "can_edit_stories", "can_delete_stories", "can_send_welcome_messages", "can_pin_messages",
                "can_manage_topics")


class Signal:
    """Wakes everyone waiting for the state to change. Take `current` before checking, then wait on it."""

    def __init__(self) -> None:
        self.current = asyncio.Event()

    def notify(self) -> None:
        self.current.set()
        self.current = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], timeout: float) -> T:
        """Wait until `check()` answers something other than None; TimeoutError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self.current
            value = check()
            if value is not None:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None


class BotState:
    """One bot as Telegram sees it. Views and test controls are public; handlers use the helpers."""

    def __init__(self, token: str, bot_id: int | None, username: str, first_name: str,
                 clock: Callable[[], datetime] | None, strict_chats: bool,
                 group_limit: tuple[int, float] | None = None) -> None:
        match = TOKEN_FORMAT.fullmatch(token)
        if match is None:
            raise ValueError("a bot token looks like 123456:<35 letters, digits, _ or ->")
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(match.group(1))
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id, "is_bot": True, "first_name": first_name, "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False,
            "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.strict_chats = strict_chats  # sending to a chat nobody introduced fails, as in Telegram
        self.group_limit = group_limit  # (messages, seconds) the bot may post per group, e.g. (20, 60.0)
        self.signal = Signal()
        self.sent: list[dict[str, Any]] = []  # every message the bot created, as it was sent
        self.blocked_users: set[int] = set()
        self.commands: dict[tuple[str, str | None], list[dict[str, str]]] = {}  # (scope JSON, language) →
        self.descriptions: dict[str | None, str] = {}  # language → text
        self.short_descriptions: dict[str | None, str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.callbacks: dict[str, bool] = {}  # callback query id → answered
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, StoredFile] = {}
        self.members: dict[tuple[int, int], str] = {}
        self._clock = clock or (lambda: datetime.now(UTC))
        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._deferred_presses: dict[int, tuple[int, str]] = {}
        self._group_flood = GroupFlood()
        self._next_update_id = 1
        self._file_seq = 0

    def now(self) -> int:
        return int(self._clock().timestamp())

    # --- test controls ----------------------------------------------------------------------------------------

    def add_chat(self, chat: dict[str, Any]) -> ChatState:
        """Make a chat known (a group, or a user who started the bot); updates introduce their chats themselves."""
        state = self._chats.get(chat["id"])
        if state is None:
            state = self._chats[chat["id"]] = ChatState(dict(chat))
        else:
            state.info.update(chat)
        return state

    def add_file(self, content: bytes, *, file_path: str | None = None, file_id: str | None = None,
                 file_name: str | None = None, mime_type: str | None = None, folder: str = "documents") -> str:
        """Register a file getFile and the download route will serve; answers its file_id."""
        self._file_seq += 1
        number = self._file_seq
        file_id = file_id or f"BQACAgUAAxkBAAI{number:06d}{self.bot_id}"
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        path = file_path or f"{folder}/file_{number}{suffix}"
        self.files[file_id] = StoredFile(file_id, f"AgAD{number:06d}", path, content, file_name, mime_type)
        return file_id

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember answers for this user in this chat (default "member")."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}")
        self.members[(chat_id, user_id)] = status

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """A staff member closes the topic in their Telegram app (no update; see TelegramStaff.close_topic)."""
        self._live_topic(chat_id, thread_id).closed = True
        self.signal.notify()

    def reopen_topic(self, chat_id: int, thread_id: int) -> None:
        """A staff member reopens the topic in their Telegram app (no update; see TelegramStaff.reopen_topic)."""
        self._live_topic(chat_id, thread_id).closed = False
        self.signal.notify()

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A staff member deletes the topic with all its messages; Telegram tells the bot nothing."""
        self._live_topic(chat_id, thread_id)
        self._chats[chat_id].delete_topic(thread_id)
        self.signal.notify()

    def _live_topic(self, chat_id: int, thread_id: int) -> Topic:
        chat = self._chats.get(chat_id)
        topic = chat.topics.get(thread_id) if chat else None
        if topic is None or topic.deleted:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        return topic

    def new_update_id(self) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_id

    def new_message_id(self, chat_id: int) -> int:
        return self.chat_of(chat_id).allocate()

    def defer_press(self, update_id: int, chat_id: int, wanted: str) -> None:
        """A press built before its button exists: point it at the bot's message when it is delivered."""
        self._deferred_presses[update_id] = (chat_id, wanted)

    # --- views ------------------------------------------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message in the chat as it looks now (both sides; edits applied; deleted ones gone)."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.live()) if chat else []

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.chat_messages(chat_id) if m.get("from", {}).get("id") == self.bot_id]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.messages.get(message_id)) if chat else None

    def deleted_messages(self, chat_id: int) -> list[dict[str, Any]]:
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.deleted) if chat else []

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the user has (set by a message's ReplyKeyboardMarkup, taken by ReplyKeyboardRemove),
        in sight or, a one-time keyboard once pressed, hidden behind its button in the input field."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def reply_keyboard_in_sight(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the user sees without reaching for it: not a one-time keyboard they pressed."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat and not chat.reply_keyboard_hidden else None

    def press_reply_keyboard(self, chat_id: int) -> None:
        """The user pressed a button of their reply keyboard: the app hides a one-time keyboard."""
        chat = self.chat_of(chat_id)
        if chat.reply_keyboard is not None and chat.reply_keyboard.get("one_time_keyboard"):
            chat.reply_keyboard_hidden = True

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot created in this chat, as sent, in order (deleted ones included)."""
        return [copy.deepcopy(m) for m in self.sent if m["chat"]["id"] == chat_id]

    def button_message(self, chat_id: int, wanted: str, *, thread_id: int | None = None,
                       ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The latest live bot message with an inline button labelled or carrying `wanted`, and that button;
        with `thread_id`, only in that forum topic."""
        for message in reversed(self.bot_messages(chat_id)):
            button = find_button(message, wanted)
            if button is not None and thread_id in (None, message.get("message_thread_id")):
                return message, button
        return None

    def topics(self, chat_id: int) -> dict[int, dict[str, Any]]:
        """The forum's topics by message_thread_id: name, icon_color, icon_custom_emoji_id, closed, deleted."""
        chat = self._chats.get(chat_id)
        return {thread_id: topic.view() for thread_id, topic in chat.topics.items()} if chat else {}

    @property
    def group_rate_limited(self) -> int:
        """How many sends were refused with 429 for going over `group_limit`."""
        return self._group_flood.refused

    # --- incoming updates -------------------------------------------------------------------------------------

    def claim(self, update: dict[str, Any]) -> int:
        """Give the update its id (unless it has one) and let it change the world (chats, users, callbacks)."""
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update["update_id"] = self.new_update_id()
        for key in ("message", "edited_message"):
            message = update.get(key)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                self._observe_message(message, edited=key == "edited_message")
        query = update.get("callback_query")
        if isinstance(query, dict):
            self._remember_user(query.get("from"))
            self.callbacks.setdefault(str(query.get("id")), False)
            self._resolve_press(update["update_id"], query)
        return int(update["update_id"])

    def _observe_message(self, message: dict[str, Any], *, edited: bool) -> None:
        chat = self._chats.get(message["chat"]["id"]) or self.add_chat(message["chat"])
        self._remember_user(message.get("from"))
        message_id = message.get("message_id")
        gone = any(old["message_id"] == message_id for old in chat.deleted)
        if isinstance(message_id, int) and not gone and (edited or message_id not in chat.messages):
            chat.store(copy.deepcopy(message))  # a duplicate delivery adds nothing
            chat.note_topic_event(message)

    def _remember_user(self, user: Any) -> None:
        if isinstance(user, dict) and isinstance(user.get("id"), int):
            self._users[user["id"]] = copy.deepcopy(user)

    def _resolve_press(self, update_id: int, query: dict[str, Any]) -> None:
        deferred = self._deferred_presses.pop(update_id, None)
        found = self.button_message(*deferred) if deferred else None
        if found is not None:
            message, button = found
            query["message"] = message
            query["data"] = button.get("callback_data", query.get("data"))

    # --- used by the method handlers --------------------------------------------------------------------------

    def chat_of(self, chat_id: int | str) -> ChatState:
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            for known in self._chats.values():
                if str(known.info.get("username", "")).lower() == name:
                    return known
            raise bad_request("chat not found")
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if self.strict_chats:
            raise bad_request("chat not found")
        return self.add_chat(synthetic_chat(chat_id))

    def chat_for_send(self, chat_id: int | str) -> ChatState:
        chat = self.chat_of(chat_id)
        if chat.info["id"] in self.blocked_users:
            raise ApiError(403, BLOCKED)
        return chat

    def record_sent(self, chat: ChatState, message: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
        """Store a new bot message; only inline keyboards belong to the Message, a reply keyboard to the chat."""
        if markup is not None:
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
            else:
                chat.uneditable.add(message["message_id"])
            if "keyboard" in markup:
                chat.reply_keyboard, chat.reply_keyboard_hidden = markup, False
            elif markup.get("remove_keyboard"):
                chat.reply_keyboard = None
        chat.store(message)
        if not SERVICE_FIELDS & message.keys():  # service messages are not replies
            self.sent.append(copy.deepcopy(message))
        self.signal.notify()
        return copy.deepcopy(message)

    def admit_message(self, chat: ChatState) -> None:
        """Count a new bot message towards the group's flood limit, or refuse it with 429."""
        if chat.info["id"] < 0:
            self._group_flood.admit(chat.info["id"], self.group_limit)

    def record_edit(self, message: dict[str, Any]) -> dict[str, Any]:
        self.signal.notify()
        return copy.deepcopy(message)

    def record_delete(self, chat: ChatState, message_id: int) -> None:
        chat.delete(message_id)
        self.signal.notify()

    def file_for_send(self, value: Any, kind: str) -> StoredFile:
        """The file a send method names: posted (then stored), a known file_id, or a URL (not fetched)."""
        if isinstance(value, Upload):
            file_id = self.add_file(value.content, file_name=value.filename, mime_type=value.content_type,
                                    folder=f"{kind}s")
            return self.files[file_id]
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]
            if value.startswith(("http://", "https://")):
                return self.files[self.add_file(b"", file_name=PurePosixPath(value).name, folder=f"{kind}s")]
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {kind} in the request")

    def member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """A ChatMember object of the status set by `set_member` (default "member")."""
        user = self._users.get(user_id) or (self.bot_user if user_id == self.bot_id else
                                            {"id": user_id, "is_bot": False, "first_name": "User"})
        status = self.members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member |= {"can_be_edited": False, "is_anonymous": False} | dict.fromkeys(ADMIN_RIGHTS, True)
        elif status == "kicked":
            member["until_date"] = 0
        return member
