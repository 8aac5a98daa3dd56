"""The calls every update makes, in the Bot API's wire form, for both frameworks' request layers to post.

Both frameworks post a call's parameters as a form of strings (JSON for an
object) and map the answer's errors to their exceptions; what they add
around that for a reply — the method's and the keyboard's models, dumped
again per call, and the answer read back into a full `Message` (PTB's
`Message.de_json` and `TelegramObject.__setattr__`, a third of the product's
CPU on PTB; aiogram's pydantic models) — is work nothing here reads. So
the calls an update makes (send, edit, answer a press, delete) are written
here, once for both adapters: a keyboard is the same for every citizen at
a step and is serialised once (`markup_json`), and a sent message's answer
is read as its id. The adapters post them through their framework's Bot
(its HTTP session, timeouts and error types); the help desk's rarer calls
(topics, copies, photos, members) still go through the frameworks' methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    CallbackButton,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    EditText,
    InlineKeyboard,
    LinkButton,
    Markup,
    RemoveKeyboard,
    SendMessage,
    ShowChoice,
    WebAppButton,
)

MARKUPS_KEPT = 512
"""Keyboards kept serialised: every step's, in both languages, with room to spare (a password form's buttons,
whose link is new each time, come and go)."""


@dataclass(frozen=True, slots=True)
class WireCall:
    """One Bot API call: its method's name and its parameters as the strings Telegram reads."""

    method: str
    params: dict[str, str]

    def result(self, answer: Any) -> int | None:
        """What the tree gets back: a sent message's id; nothing for the others (their answer is True, or the
        edited message, which nothing reads)."""
        if self.method != "sendMessage":
            return None
        if not isinstance(answer, dict) or type(answer.get("message_id")) is not int:
            raise ValueError(f"sendMessage answered without a message id: {type(answer).__name__}")
        return int(answer["message_id"])


def wire_call(action: Action) -> WireCall | None:
    """`action` as a wire call, or None for a call the adapter makes through its framework's own method."""
    match action:
        case SendMessage(chat_id, text, markup, thread_id):
            params = {"chat_id": str(chat_id), "text": text}
            if (keyboard := markup_json(markup)) is not None:
                params["reply_markup"] = keyboard
            if thread_id is not None:
                params["message_thread_id"] = str(thread_id)
            return WireCall("sendMessage", params)
        case EditText(chat_id, message_id, text, markup):
            params = {"chat_id": str(chat_id), "message_id": str(message_id), "text": text}
            if (keyboard := markup_json(markup)) is not None:
                params["reply_markup"] = keyboard
            return WireCall("editMessageText", params)
        case ShowChoice(chat_id, message_id):  # no reply_markup: the edit takes the buttons away
            return WireCall("editMessageText", {"chat_id": str(chat_id), "message_id": str(message_id),
                                                "text": action.text})
        case ClearKeyboard(chat_id, message_id):
            return WireCall("editMessageReplyMarkup", {"chat_id": str(chat_id), "message_id": str(message_id)})
        case AnswerCallback(callback_id):
            return WireCall("answerCallbackQuery", {"callback_query_id": callback_id})
        case DeleteMessage(chat_id, message_id):
            return WireCall("deleteMessage", {"chat_id": str(chat_id), "message_id": str(message_id)})
    return None


@lru_cache(maxsize=MARKUPS_KEPT)  # a step's keyboard is the same for every citizen: serialised once, not per reply
def markup_json(markup: Markup) -> str | None:
    """The keyboard as the Bot API's JSON (the objects InlineKeyboardMarkup, ReplyKeyboardMarkup,
    ReplyKeyboardRemove); None for no keyboard."""
    match markup:
        case InlineKeyboard(rows):
            value: dict[str, Any] = {"inline_keyboard": [[_button(button) for button in row] for row in rows]}
        case ContactKeyboard(label):
            value = {"keyboard": [[{"text": label, "request_contact": True}]], "resize_keyboard": True,
                     "one_time_keyboard": True}
        case RemoveKeyboard():
            value = {"remove_keyboard": True}
        case _:
            return None
    return orjson.dumps(value).decode()


def _button(button: CallbackButton | WebAppButton | LinkButton) -> dict[str, Any]:
    match button:
        case CallbackButton(label, data):
            return {"text": label, "callback_data": data}
        case WebAppButton(label, url):
            return {"text": label, "web_app": {"url": url}}
        case LinkButton(label, url):
            return {"text": label, "url": url}
