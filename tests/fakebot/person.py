"""What every person in the tests shares: the updates their Telegram client sends, and reading the bot's answers.

`Person` builds messages, edits and button presses the way Telegram would
deliver them (well-formed enough for aiogram's and python-telegram-bot's
strict models: user, chat, date, `bot_command` entities), hands them to the
fake Bot API and waits for what the bot sends afterwards. `TelegramCitizen`
acts in a private chat with it, `TelegramStaff` in a forum group's topics.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from collections.abc import Callable
from typing import Any

from tests.fakebot.messages import find_button, inline_rows
from tests.fakebot.photos import photo_sizes
from tests.fakebot.server import FakeBotAPI

COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9"  # a stand-in, not a readable image
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def user_and_names(user_id: int, first_name: str, language_code: str | None, last_name: str | None,
                   username: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A User object, and the name fields a private Chat with that user repeats."""
    names = {"first_name": first_name} | ({"last_name": last_name} if last_name else {}) | (
        {"username": username} if username else {})
    user = {"id": user_id, "is_bot": False, **names} | ({"language_code": language_code} if language_code else {})
    return user, names


class Person:
    """A Telegram user acting in one chat, who reads what the bot sent there since their last action.

    Reading keeps a cursor into `api.sent` per place (a topic, or None for the whole chat): an action moves
    every cursor to "now", and each message waited for moves its place's cursor past it.
    """

    def __init__(self, api: FakeBotAPI, user: dict[str, Any], chat: dict[str, Any]) -> None:
        self.api = api
        self.user = user
        self.chat = chat
        self.last_message_id: int | None = None  # of the last message this person sent
        self.last_callback_id: str | None = None  # of the last button press
        self._anchor = len(api.sent)  # waits read the bot's messages from here, unless a place's cursor is past
        self._cursors: dict[int | None, int] = {}
        self._anchored = False  # the anchor was moved to "now" by an action not yet waited for

    @property
    def user_id(self) -> int:
        return int(self.user["id"])

    # --- building ---------------------------------------------------------------------------------------------

    def _message(self, message_id: int, text: str | None, **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": message_id, "from": dict(self.user), "chat": dict(self.chat),
                                   "date": self.api.now()}
        if text is not None:
            message["text"] = text
            command = COMMAND.match(text)
            if command:  # Telegram marks a leading /command (lengths in UTF-16 units; a command is ASCII)
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return message | content

    def _update(self, **body: Any) -> dict[str, Any]:
        return {"update_id": self.api.new_update_id(), **body}

    def _file(self, content: bytes, folder: str, name: str, mime_type: str) -> dict[str, Any]:
        file_id = self.api.add_file(content, file_name=name, mime_type=mime_type, folder=folder)
        return {"file_id": file_id, "file_unique_id": self.api.files[file_id].file_unique_id}

    def _photo(self, content: bytes, caption: str | None) -> dict[str, Any]:
        """A photo message's content: its sizes, smallest first, each a file of its own (`photos`)."""
        sizes = [self._file(data, "photos", "photo.jpg", "image/jpeg") | {"width": width, "height": height,
                                                                            "file_size": len(data)}
                 for data, width, height in photo_sizes(content)]
        return {"photo": sizes} | ({"caption": caption} if caption else {})

    def _document(self, file_name: str, content: bytes, mime_type: str | None, caption: str | None,
                  ) -> dict[str, Any]:
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        document = self._file(content, "documents", file_name, mime_type) | {
            "file_name": file_name, "mime_type": mime_type, "file_size": len(content)}
        return {"document": document} | ({"caption": caption} if caption else {})

    def _edited(self, message_id: int, text: str) -> dict[str, Any]:
        """The person's message `message_id` with new text, as an `edited_message` carries it."""
        original = self.api.message(self.chat["id"], message_id) or {}
        if original and "text" not in original:
            raise AssertionError(f"message {message_id} has no text to edit")
        kept = {key: value for key, value in original.items() if key not in ("text", "entities")}
        fresh = self._message(message_id, text)
        return kept | fresh | {"date": original.get("date", fresh["date"]), "edit_date": self.api.now()}

    def _press_update(self, update_id: int, message: dict[str, Any], data: str | None,
                      label_or_data: str) -> dict[str, Any]:
        if data is None:
            raise AssertionError(f"button {label_or_data!r} has no callback_data (a URL or Web App button)")
        query = {"id": f"{self.user_id}{update_id:010d}", "from": dict(self.user),
                 "chat_instance": str(abs(self.chat["id"]) * 1_000_003 + 4_242), "message": copy.deepcopy(message),
                 "data": data}
        return {"update_id": update_id, "callback_query": query}

    def _press_in_update(self, message: dict[str, Any], label_or_data: str) -> dict[str, Any]:
        pressed = find_button(message, label_or_data)
        if pressed is None:
            raise AssertionError(f"no button {label_or_data!r} on message {message.get('message_id')}")
        return self._press_update(self.api.new_update_id(), message, pressed.get("callback_data"), label_or_data)

    # --- acting -----------------------------------------------------------------------------------------------

    def _send(self, update: dict[str, Any]) -> int:
        if not self._anchored:  # answers to this action come after what the bot has sent so far
            self._anchor, self._anchored = len(self.api.sent), True
            self._cursors.clear()
        if "message" in update:
            self.last_message_id = update["message"]["message_id"]
        if "callback_query" in update:
            self.last_callback_id = update["callback_query"]["id"]
        return self.api.inject(update)

    async def _button_message(self, label_or_data: str, timeout: float, thread_id: int | None = None,
                              ) -> dict[str, Any]:
        """The latest bot message here showing that button, waiting up to `timeout` s for it to appear."""
        def found() -> dict[str, Any] | None:
            hit = self.api.button_message(self.chat["id"], label_or_data, thread_id=thread_id)
            return hit[0] if hit else None

        try:
            return await self.api.wait_until(found, timeout)
        except TimeoutError:
            latest = next((m for m in reversed(self.api.bot_messages(self.chat["id"]))
                           if inline_rows(m) and thread_id in (None, m.get("message_thread_id"))), None)
            labels = [button.get("text", "") for row in inline_rows(latest) for button in row]
            raise AssertionError(f"no button {label_or_data!r} in {self._place(thread_id)}; "
                                 f"the latest keyboard has {labels}") from None

    # --- reading ----------------------------------------------------------------------------------------------

    async def _next_sent(self, thread_id: int | None, contains: str | None, timeout: float,
                         belongs: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The next message the bot sent that `belongs` here, after the last action and the last one waited for
        here, optionally the first whose text, caption or button labels contain `contains`."""
        sent = self.api.sent
        start = self._cursors.get(thread_id, self._anchor)

        def next_one() -> tuple[int, dict[str, Any]] | None:
            for index in range(start, len(sent)):
                message = sent[index]
                if belongs(message) and (contains is None or contains in shown(message)):
                    return index, message
            return None

        try:
            index, message = await self.api.wait_until(next_one, timeout)
        except TimeoutError:
            since = [shown(m)[:200] for m in sent[start:] if belongs(m)]
            failed = [f"{c.method}: {c.error_code} {c.description}" for c in self.api.calls if c.ok is False][-5:]
            what = f"containing {contains!r} " if contains else ""
            raise AssertionError(f"the bot sent no message {what}to {self._place(thread_id)} within {timeout} s; "
                                 f"since the last action it sent {since}; latest failed calls: {failed}") from None
        self._cursors[thread_id], self._anchored = index + 1, False
        return copy.deepcopy(message)

    def _place(self, thread_id: int | None) -> str:
        chat = f"chat {self.chat['id']}"
        return chat if thread_id is None else f"topic {thread_id} of {chat}"


def shown(message: dict[str, Any]) -> str:
    """What a person reads on a message: its text or caption, and the labels of its buttons."""
    labels = [button.get("text", "") for row in inline_rows(message) for button in row]
    return "\n".join([str(message.get("text") or message.get("caption") or ""), *labels])
