"""A person using Telegram, for end-to-end tests: types, taps buttons, shares a phone, reads the bot's replies.

Every action builds the update Telegram would send (well-formed enough for
aiogram's and python-telegram-bot's strict models: user, private chat,
date, `bot_command` entities; the shared parts are in `person`) and hands
it to the fake Bot API, which queues it for getUpdates or POSTs it to the
bot's webhook. The `*_update` builders make the same updates without
sending them, for tests that deliver one update to several workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakebot.messages import inline_rows
from tests.fakebot.person import JPEG, PDF, WEBP, Person, user_and_names
from tests.fakebot.server import FakeBotAPI

OTHER_PERSON = {"first_name": "Bình", "last_name": "Trần"}


class TelegramCitizen(Person):
    """One Telegram user in their private chat with the bot (chat id = user id)."""

    def __init__(self, api: FakeBotAPI, user_id: int, first_name: str = "An", language_code: str | None = "vi",
                 *, last_name: str | None = None, username: str | None = None) -> None:
        user, names = user_and_names(user_id, first_name, language_code, last_name, username)
        super().__init__(api, user, {"id": user_id, "type": "private", **names})
        api.add_chat(self.chat)  # they have opened the bot, so it may write to them

    @property
    def chat_id(self) -> int:
        return self.user_id

    # --- updates, built but not sent ------------------------------------------------------------------------

    def message_update_body(self, text: str | None = None, **content: Any) -> dict[str, Any]:
        """A Message from this citizen (the `message` of an update), with a fresh message_id."""
        return self._message(self.api.new_message_id(self.chat_id), text, **content)

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

    def photo_update(self, data: bytes = JPEG, caption: str | None = None) -> dict[str, Any]:
        """A photo: `data` is its largest size, smaller JPEG copies come first (see `photos`).

        The default is a stand-in JPEG no image library reads, for tests that only need a photo to be there.
        """
        return self._update(message=self.message_update_body(**self._photo(data, caption)))

    def document_update(self, file_name: str = "giay-to.pdf", *, content: bytes = PDF, mime_type: str | None = None,
                        caption: str | None = None) -> dict[str, Any]:
        """A file sent as a document (MIME type guessed from the name unless given)."""
        document = self._document(file_name, content, mime_type, caption)
        return self._update(message=self.message_update_body(**document))

    def edit_update(self, message_id: int, text: str) -> dict[str, Any]:
        """The citizen edits a message they sent: an `edited_message` update with the same message_id."""
        return self._update(edited_message=self._edited(message_id, text))

    def press_update(self, label_or_data: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """A tap on an inline button (matched by label or callback_data) of `message`.

        Without `message`: the latest bot message showing that button; if the bot has not sent it yet
        (updates built ahead), the one showing it when the update is delivered.
        """
        if message is not None:
            return self._press_in_update(message, label_or_data)
        found = self.api.button_message(self.chat_id, label_or_data)
        if found is not None:
            return self._press_in_update(found[0], label_or_data)
        update_id = self.api.new_update_id()
        self.api.defer_press(update_id, self.chat_id, label_or_data)
        inaccessible = {"chat": dict(self.chat), "message_id": 1, "date": 0}  # until resolved on delivery
        return self._press_update(update_id, inaccessible, label_or_data, label_or_data)

    # --- actions ----------------------------------------------------------------------------------------------

    async def send_text(self, text: str) -> int:
        """Type and send `text`; answers the update_id (`last_message_id` is the message's id)."""
        return self._send(self.text_update(text))

    async def send_command(self, command: str = "/start") -> int:
        return self._send(self.command_update(command))

    async def share_contact(self, phone: str, own: bool = True) -> int:
        """Share a phone number: their own (the request_contact button, which hides a one-time keyboard) or
        someone else's contact card (from the attachment menu)."""
        if own and self._reply_button(lambda button: button.get("request_contact") is True):
            self.api.press_reply_keyboard(self.chat_id)
        return self._send(self.contact_update(phone, own))

    async def send_sticker(self, emoji: str = "👍") -> int:
        return self._send(self.sticker_update(emoji))

    async def send_photo(self, data: bytes = JPEG, caption: str | None = None) -> int:
        """Send `data` as a photo (Telegram lists it with smaller copies); answers the update_id."""
        return self._send(self.photo_update(data, caption))

    async def send_image_file(self, data: bytes, file_name: str = "card.jpg", mime_type: str = "image/jpeg",
                              caption: str | None = None) -> int:
        """Send an image as a file (a `document`, kept as it was, not compressed); answers the update_id."""
        return await self.send_document(file_name, content=data, mime_type=mime_type, caption=caption)

    async def send_document(self, file_name: str = "giay-to.pdf", *, content: bytes = PDF,
                            mime_type: str | None = None, caption: str | None = None) -> int:
        return self._send(self.document_update(file_name, content=content, mime_type=mime_type, caption=caption))

    async def send_content(self, **content: Any) -> int:
        """Send any other kind of message, e.g. `location={"latitude": 21.03, "longitude": 105.85}`."""
        return self._send(self._update(message=self.message_update_body(**content)))

    async def edit(self, message_id: int, text: str) -> int:
        """Edit an earlier message of theirs (bots get `edited_message`; many ignore it)."""
        return self._send(self.edit_update(message_id, text))

    async def press(self, label_or_data: str, *, timeout: float = 5.0) -> int:
        """Tap the button on the latest bot message showing it, waiting up to `timeout` s for it to appear."""
        return await self.press_in(await self._button_message(label_or_data, timeout), label_or_data)

    async def press_in(self, message: dict[str, Any], label_or_data: str) -> int:
        """Tap a button of this very message, even one the bot has since edited (a slow client still shows it)."""
        return self._send(self.press_update(label_or_data, message))

    async def tap(self, label: str) -> int:
        """Tap a text button of the reply keyboard: the client sends its label as a message."""
        button = self._reply_button(lambda button: button.get("text") == label)
        if button is None:
            raise AssertionError(f"no reply keyboard button {label!r}; keyboard: {self.reply_keyboard()}")
        if button.get("request_contact"):
            raise AssertionError("a request_contact button shares a contact: use share_contact()")
        self.api.press_reply_keyboard(self.chat_id)
        return await self.send_text(label)

    def _reply_button(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        """The first button of the reply keyboard (in sight or hidden) that is `wanted`; a bare label counts as
        {"text": label}."""
        for row in (self.reply_keyboard() or {}).get("keyboard", []):
            for button in row:
                button = {"text": button} if isinstance(button, str) else button
                if wanted(button):
                    return button
        return None

    # --- reading the chat -------------------------------------------------------------------------------------

    async def wait_for_reply(self, contains: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """The next message the bot sends to this chat after the last action (and after the last reply
        waited for), optionally the first one whose text, caption or button labels contain `contains`.

        Answers the message as sent; AssertionError (listing what was sent) after `timeout` seconds.
        """
        return await self._next_sent(None, contains, timeout, lambda m: m["chat"]["id"] == self.chat_id)

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
        """The reply keyboard (ReplyKeyboardMarkup) the citizen has, e.g. the request_contact one: in sight, or
        a one-time keyboard they pressed, hidden behind its button in the input field."""
        return self.api.reply_keyboard(self.chat_id)

    def reply_keyboard_in_sight(self) -> dict[str, Any] | None:
        """The reply keyboard on the citizen's screen, not hidden after a press."""
        return self.api.reply_keyboard_in_sight(self.chat_id)
