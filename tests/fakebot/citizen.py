"""A person using Telegram, for end-to-end tests: types, taps buttons, shares a phone, reads the bot's replies.

Every action builds the update Telegram would send (well-formed enough for
aiogram's and python-telegram-bot's strict models: user, private chat,
date, `bot_command` entities) and hands it to the fake Bot API, which
queues it for getUpdates or POSTs it to the bot's webhook. The `*_update`
builders make the same updates without sending them, for tests that
deliver one update to several workers.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.fakebot.messages import find_button, inline_rows
from tests.fakebot.server import FakeBotAPI

COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)
OTHER_PERSON = {"first_name": "Bình", "last_name": "Trần"}


class TelegramCitizen:
    """One Telegram user in their private chat with the bot (chat id = user id)."""

    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str = "An", language_code: str | None = "vi",
                 *, last_name: str | None = None, username: str | None = None) -> None:
        self.api = api
        self.user_id = user_id
        names = {"first_name": first_name} | ({"last_name": last_name} if last_name else {}) | (
            {"username": username} if username else {})
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, **names} | (
            {"language_code": language_code} if language_code else {})
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", **names}
        api.add_chat(self.chat)  # they have opened the bot, so it may write to them
        self.last_message_id: int | None = None  # of the last message this citizen sent
        self.last_callback_id: str | None = None  # of the last button press
        self._cursor = len(api.sent)  # wait_for_reply reads the bot's messages from here
        self._anchored = False  # the cursor was moved to "now" by an action not yet waited for

    @property
    def chat_id(self) -> int:
        return self.user_id

    # --- updates, built but not sent ------------------------------------------------------------------------

    def message_update_body(self, text: str | None = None, **content: Any) -> dict[str, Any]:
        """A Message from this citizen (the `message` of an update), with a fresh message_id."""
        return self._message(self.api.new_message_id(self.chat_id), text, **content)

    def _message(self, message_id: int, text: str | None, **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": message_id, "from": dict(self.user), "chat": dict(self.chat),
                                   "date": self.api.now()}
        if text is not None:
            message["text"] = text
            command = COMMAND.match(text)
            if command:  # Telegram marks a leading /command (lengths in UTF-16 units; a command is ASCII)
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return message | content

    def text_update(self, text: str) -> dict[str, Any]:
        return self._update(message=self.message_update_body(text))

    def command_update(self, command: str) -> dict[str, Any]:
        return self.text_update(command if command.startswith("/") else f"/{command}")

    def contact_update(self, phone: str, own: bool = True) -> dict[str, Any]:
        person: dict[str, Any] = {key: self.user[key] for key in ("first_name", "last_name") if key in self.user}
        contact: dict[str, Any] = {"phone_number": phone, **(person if own else OTHER_PERSON),
                   "user_id": self.user_id if own else self.user_id + 7_000_000}
        return self._update(message=self.message_update_body(contact=contact))

    def sticker_update(self, emoji: str = "👍") -> dict[str, Any]:
        file = self._file(WEBP, "stickers", "sticker.webp", "image/webp")
        sticker = file | {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False,
                          "emoji": emoji, "set_name": "HotCherry", "file_size": len(WEBP)}
        return self._update(message=self.message_update_body(sticker=sticker))

    def photo_update(self, caption: str | None = None) -> dict[str, Any]:
        sizes = [self._file(JPEG, "photos", "photo.jpg", "image/jpeg") | {"width": w, "height": h,
                                                                           "file_size": len(JPEG)}
                 for w, h in ((90, 68), (1280, 960))]
        return self._update(message=self.message_update_body(photo=sizes, **({"caption": caption} if caption else {})))

    def edit_update(self, message_id: int, text: str) -> dict[str, Any]:
        """The citizen edits a message they sent: an `edited_message` update with the same message_id."""
        original = self.api.message(self.chat_id, message_id) or {"date": self.api.now()}
        edited = self._message(message_id, text) | {"date": original["date"], "edit_date": self.api.now()}
        return self._update(edited_message=edited)

    def press_update(self, label_or_data: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """A tap on an inline button (matched by label or callback_data) of `message`.

        Without `message`: the latest bot message showing that button; if the bot has not sent it yet
        (updates built ahead), the one showing it when the update is delivered.
        """
        update_id = self.api.new_update_id()
        if message is None:
            found = self.api.button_message(self.chat_id, label_or_data)
            if found is None:
                self.api.defer_press(update_id, self.chat_id, label_or_data)
                message = {"chat": dict(self.chat), "message_id": 1, "date": 0}  # inaccessible until resolved
                data: str | None = label_or_data
            else:
                message, button = found
                data = button.get("callback_data")
        else:
            pressed = find_button(message, label_or_data)
            if pressed is None:
                raise AssertionError(f"no button {label_or_data!r} on message {message.get('message_id')}")
            data = pressed.get("callback_data")
        if data is None:
            raise AssertionError(f"button {label_or_data!r} has no callback_data (a URL or Web App button)")
        query = {"id": f"{self.user_id}{update_id:010d}", "from": dict(self.user),
                 "chat_instance": str(self.user_id * 1_000_003 + 4_242), "message": copy.deepcopy(message),
                 "data": data}
        return {"update_id": update_id, "callback_query": query}

    # --- actions ----------------------------------------------------------------------------------------------

    async def send_text(self, text: str) -> int:
        """Type and send `text`; answers the update_id (`last_message_id` is the message's id)."""
        return self._send(self.text_update(text))

    async def send_command(self, command: str = "/start") -> int:
        return self._send(self.command_update(command))

    async def share_contact(self, phone: str, own: bool = True) -> int:
        """Share a phone number: their own (the request_contact button) or someone else's contact card."""
        return self._send(self.contact_update(phone, own))

    async def send_sticker(self, emoji: str = "👍") -> int:
        return self._send(self.sticker_update(emoji))

    async def send_photo(self, caption: str | None = None) -> int:
        return self._send(self.photo_update(caption))

    async def send_content(self, **content: Any) -> int:
        """Send any other kind of message, e.g. `location={"latitude": 21.03, "longitude": 105.85}`."""
        return self._send(self._update(message=self.message_update_body(**content)))

    async def edit(self, message_id: int, text: str) -> int:
        """Edit an earlier message of theirs (bots get `edited_message`; many ignore it)."""
        return self._send(self.edit_update(message_id, text))

    async def press(self, label_or_data: str, *, timeout: float = 5.0) -> int:
        """Tap the button on the latest bot message showing it, waiting up to `timeout` s for it to appear."""
        try:
            message, _ = await self.api.wait_until(lambda: self.api.button_message(self.chat_id, label_or_data),
                                                   timeout)
        except TimeoutError:
            raise AssertionError(f"no button {label_or_data!r} in chat {self.chat_id}; "
                                 f"the latest keyboard has {self.buttons()}") from None
        return await self.press_in(message, label_or_data)

    async def press_in(self, message: dict[str, Any], label_or_data: str) -> int:
        """Tap a button of this very message, even one the bot has since edited (a slow client still shows it)."""
        return self._send(self.press_update(label_or_data, message))

    async def tap(self, label: str) -> int:
        """Tap a text button of the reply keyboard: the client sends its label as a message."""
        keyboard = self.reply_keyboard() or {}
        for row in keyboard.get("keyboard", []):
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if text == label:
                    if isinstance(button, dict) and button.get("request_contact"):
                        raise AssertionError("a request_contact button shares a contact: use share_contact()")
                    return await self.send_text(label)
        raise AssertionError(f"no reply keyboard button {label!r}; keyboard: {keyboard}")

    # --- reading the chat -------------------------------------------------------------------------------------

    async def wait_for_reply(self, contains: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """The next message the bot sends to this chat after the last action (and after the last reply
        waited for), optionally the first one whose text, caption or button labels contain `contains`.

        Answers the message as sent; AssertionError (listing what was sent) after `timeout` seconds.
        """
        sent = self.api.sent

        def reply() -> tuple[int, dict[str, Any]] | None:
            for index in range(self._cursor, len(sent)):
                message = sent[index]
                if message["chat"]["id"] == self.chat_id and (contains is None or contains in _shown(message)):
                    return index, message
            return None

        try:
            index, message = await self.api.wait_until(reply, timeout)
        except TimeoutError:
            raise AssertionError(self._no_reply(contains, timeout)) from None
        self._cursor, self._anchored = index + 1, False
        return copy.deepcopy(message)

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat as they look now (edited, deleted ones gone)."""
        return self.api.bot_messages(self.chat_id)

    def sent_to_me(self) -> list[dict[str, Any]]:
        """Every message the bot sent to this chat, as sent (including ones deleted since)."""
        return self.api.sent_to(self.chat_id)

    def last_keyboard_message(self) -> dict[str, Any] | None:
        """The latest bot message that still shows an inline keyboard."""
        return next((m for m in reversed(self.messages()) if inline_rows(m)), None)

    def last_keyboard(self) -> list[list[dict[str, Any]]] | None:
        """The rows of buttons of the latest inline keyboard on screen."""
        message = self.last_keyboard_message()
        return inline_rows(message) if message else None

    def buttons(self) -> list[str]:
        """Labels of the latest inline keyboard, row by row."""
        return [button.get("text", "") for row in self.last_keyboard() or [] for button in row]

    def reply_keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard (ReplyKeyboardMarkup) on the citizen's screen, e.g. the request_contact one."""
        return self.api.reply_keyboard(self.chat_id)

    # --- inside -----------------------------------------------------------------------------------------------

    def _update(self, **body: Any) -> dict[str, Any]:
        return {"update_id": self.api.new_update_id(), **body}

    def _file(self, content: bytes, folder: str, name: str, mime_type: str) -> dict[str, Any]:
        file_id = self.api.add_file(content, file_name=name, mime_type=mime_type, folder=folder)
        return {"file_id": file_id, "file_unique_id": self.api.files[file_id].file_unique_id}

    def _send(self, update: dict[str, Any]) -> int:
        if not self._anchored:  # replies to this action come after what the bot has sent so far
            self._cursor, self._anchored = len(self.api.sent), True
        if "message" in update:
            self.last_message_id = update["message"]["message_id"]
        if "callback_query" in update:
            self.last_callback_id = update["callback_query"]["id"]
        return self.api.inject(update)

    def _no_reply(self, contains: str | None, timeout: float) -> str:
        what = f"containing {contains!r} " if contains else ""
        since = [_shown(m)[:200] for m in self.api.sent[self._cursor:] if m["chat"]["id"] == self.chat_id]
        failed = [f"{c.method}: {c.error_code} {c.description}" for c in self.api.calls if c.ok is False][-5:]
        return (f"the bot sent no message {what}to chat {self.chat_id} within {timeout} s; "
                f"since the last action it sent {since}; latest failed calls: {failed}")


def _shown(message: dict[str, Any]) -> str:
    """What the citizen reads on a message: its text or caption, and the labels of its buttons."""
    labels = [button.get("text", "") for row in inline_rows(message) for button in row]
    return "\n".join([str(message.get("text") or message.get("caption") or ""), *labels])
