"""A help desk's staff, for end-to-end tests: people in a forum supergroup with one topic per citizen.

`ForumGroup` is the supergroup (`is_forum: true`) the bot opens topics in.
`TelegramStaff` is a member of it who writes, sends files, edits and taps
the bot's buttons inside topics, and reads what the bot posted there. Their
messages look as Telegram delivers them: `message_thread_id`,
`is_topic_message`, and a `reply_to_message` that is the topic's opening
service message unless they reply to something. A staff member also has a
private chat with the bot (`private`, a `TelegramCitizen`), e.g. for /assist.
"""

from __future__ import annotations

from typing import Any

from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.messages import DEFAULT_ICON_COLOR, SERVICE_FIELDS, inline_rows
from tests.fakebot.person import JPEG, PDF, Person
from tests.fakebot.server import FakeBotAPI

ADMINS = ("creator", "administrator")


class ForumGroup:
    """A forum supergroup the fake knows, where the bot is an administrator (so it may manage topics)."""

    def __init__(self, api: FakeBotAPI, chat_id: int = -1001234567890, title: str = "Hỗ trợ công dân", *,
                 bot_status: str = "administrator") -> None:
        if not str(chat_id).startswith("-100"):
            raise ValueError("a supergroup's id looks like -100…")
        self.api = api
        self.chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title, "is_forum": True}
        api.add_chat(self.chat)
        api.set_member(chat_id, api.bot_id, bot_status)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def topics(self) -> dict[int, dict[str, Any]]:
        """Topics by message_thread_id: name, icon_color, icon_custom_emoji_id, closed, deleted."""
        return self.api.topics(self.chat_id)

    def messages(self, thread_id: int) -> list[dict[str, Any]]:
        """Everyone's messages in the topic as they look now, service messages included."""
        return [m for m in self.api.chat_messages(self.chat_id) if m.get("message_thread_id") == thread_id]

    async def wait_for_topic(self, name_contains: str | None = None, timeout: float = 10.0) -> int:
        """The newest topic not deleted whose name contains `name_contains`, waiting for it to be created."""
        def newest() -> int | None:
            for thread_id, topic in sorted(self.topics().items(), reverse=True):
                if not topic["deleted"] and (name_contains is None or name_contains in topic["name"]):
                    return thread_id
            return None

        try:
            return await self.api.wait_until(newest, timeout)
        except TimeoutError:
            names = [topic["name"] for topic in self.topics().values()]
            raise AssertionError(f"no topic named like {name_contains!r} in chat {self.chat_id} within "
                                 f"{timeout} s; topics: {names}") from None


class TelegramStaff(Person):
    """A member of the forum group working in its topics; `private` is their own chat with the bot."""

    def __init__(self, api: FakeBotAPI, group: ForumGroup, user_id: int, first_name: str = "Lan",
                 language_code: str | None = "vi", *, last_name: str | None = None, username: str | None = None,
                 status: str = "member") -> None:
        self.private = TelegramCitizen(api, user_id, first_name, language_code, last_name=last_name,
                                       username=username)
        super().__init__(api, self.private.user, group.chat)
        self.group = group
        api.set_member(group.chat_id, user_id, status)

    # --- updates, built but not sent ------------------------------------------------------------------------

    def message_update(self, thread_id: int, text: str | None = None, *, reply_to: int | None = None,
                       **content: Any) -> dict[str, Any]:
        """A message from this staff member in topic `thread_id`, replying to `reply_to` if given."""
        self._check_topic(thread_id)
        message = self._message(self.api.new_message_id(self.group.chat_id), text, **content)
        return self._update(message=self._in_topic(message, thread_id, reply_to))

    def press_update(self, label_or_data: str, message: dict[str, Any]) -> dict[str, Any]:
        """A tap on the button (label or callback_data) of this bot message in the group."""
        return self._press_in_update(message, label_or_data)

    def _in_topic(self, message: dict[str, Any], thread_id: int, reply_to: int | None = None) -> dict[str, Any]:
        replied = self.api.message(self.group.chat_id, reply_to or thread_id)
        if reply_to is not None and replied is None:
            raise AssertionError(f"no message {reply_to} in chat {self.group.chat_id} to reply to")
        message |= {"message_thread_id": thread_id, "is_topic_message": True}
        if replied is not None and replied["message_id"] != message["message_id"]:
            message["reply_to_message"] = {key: value for key, value in replied.items() if key != "reply_to_message"}
        return message

    def _topic(self, thread_id: int) -> dict[str, Any]:
        topic = self.group.topics().get(thread_id)
        if topic is None or topic["deleted"]:
            raise AssertionError(f"chat {self.group.chat_id} has no topic {thread_id}")
        return topic

    def _check_topic(self, thread_id: int) -> None:
        status = self.api.member(self.group.chat_id, self.user_id)["status"]
        if self._topic(thread_id)["closed"] and status not in ADMINS:
            raise AssertionError(f"topic {thread_id} is closed: only admins can write there")

    # --- actions ----------------------------------------------------------------------------------------------

    async def send_text(self, thread_id: int, text: str, *, reply_to: int | None = None) -> int:
        """Write `text` in the topic; answers the update_id (`last_message_id` is the message's id)."""
        return self._send(self.message_update(thread_id, text, reply_to=reply_to))

    async def send_command(self, thread_id: int, command: str, *, reply_to: int | None = None) -> int:
        """A command in the topic, e.g. "/close" or "/close@regbot_test_bot", marked as `bot_command`."""
        text = command if command.startswith("/") else f"/{command}"
        return self._send(self.message_update(thread_id, text, reply_to=reply_to))

    async def send_photo(self, thread_id: int, caption: str | None = None, *, reply_to: int | None = None) -> int:
        return self._send(self.message_update(thread_id, reply_to=reply_to, **self._photo(JPEG, caption)))

    async def send_document(self, thread_id: int, file_name: str = "giay-to.pdf", *, content: bytes = PDF,
                            mime_type: str | None = None, caption: str | None = None,
                            reply_to: int | None = None) -> int:
        document = self._document(file_name, content, mime_type, caption)
        return self._send(self.message_update(thread_id, reply_to=reply_to, **document))

    async def send_content(self, thread_id: int, *, reply_to: int | None = None, **content: Any) -> int:
        """Any other kind of message in the topic, e.g. `sticker={...}`."""
        return self._send(self.message_update(thread_id, reply_to=reply_to, **content))

    async def edit(self, message_id: int, text: str) -> int:
        """Edit an earlier text message of theirs in the group (an `edited_message`, still in its topic)."""
        return self._send(self._update(edited_message=self._edited(message_id, text)))

    async def press(self, label_or_data: str, thread_id: int | None = None, *, timeout: float = 5.0) -> int:
        """Tap the button on the latest bot message in the group (in topic `thread_id` if given) showing it,
        waiting up to `timeout` s for it to appear."""
        message = await self._button_message(label_or_data, timeout, thread_id)
        return await self.press_in(message, label_or_data)

    async def press_in(self, message: dict[str, Any], label_or_data: str) -> int:
        """Tap a button of this very bot message, even one edited since."""
        return self._send(self.press_update(label_or_data, message))

    async def create_topic(self, name: str) -> int:
        """Open a topic in the Telegram app (the bot gets its service message); answers its message_thread_id."""
        thread_id = self.api.new_message_id(self.group.chat_id)
        opening = self._message(thread_id, None, forum_topic_created={"name": name, "icon_color": DEFAULT_ICON_COLOR})
        self._send(self._update(message=self._in_topic(opening, thread_id)))
        return thread_id

    async def close_topic(self, thread_id: int) -> int:
        """Close the topic in the Telegram app: the bot gets a `forum_topic_closed` service message."""
        return self._service(thread_id, "forum_topic_closed")

    async def reopen_topic(self, thread_id: int) -> int:
        return self._service(thread_id, "forum_topic_reopened")

    async def delete_topic(self, thread_id: int) -> None:
        """Delete the topic and everything in it; Telegram tells the bot nothing."""
        self.api.delete_topic(self.group.chat_id, thread_id)

    def _service(self, thread_id: int, event: str) -> int:
        self._topic(thread_id)
        message = self._message(self.api.new_message_id(self.group.chat_id), None, **{event: {}})
        return self._send(self._update(message=self._in_topic(message, thread_id)))

    # --- reading the topics -----------------------------------------------------------------------------------

    async def wait_for_post(self, thread_id: int | None, contains: str | None = None,
                            timeout: float = 10.0) -> dict[str, Any]:
        """The next message the bot posts in the topic (None: anywhere in the group) after the last action and
        the last post waited for there, copies included; optionally the first whose text, caption or button
        labels contain `contains`. Answers it as sent; AssertionError after `timeout` seconds."""
        chat_id = self.group.chat_id
        return await self._next_sent(thread_id, contains, timeout, lambda m: m["chat"]["id"] == chat_id and (
            thread_id is None or m.get("message_thread_id") == thread_id))

    def posts(self, thread_id: int) -> list[dict[str, Any]]:
        """The bot's messages in the topic as they look now (edited, deleted ones gone; no service messages)."""
        return [m for m in self.api.bot_messages(self.group.chat_id)
                if m.get("message_thread_id") == thread_id and not SERVICE_FIELDS & m.keys()]

    def buttons(self, thread_id: int) -> list[str]:
        """Labels of the latest inline keyboard the bot shows in the topic, row by row."""
        message = next((m for m in reversed(self.posts(thread_id)) if inline_rows(m)), None)
        return [button.get("text", "") for row in inline_rows(message) for button in row]
