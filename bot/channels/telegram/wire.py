"""The calls every update makes, in the Bot API's wire form, posted and read back the same way by both adapters.

Both frameworks post a call's parameters as a form of strings (JSON for an
object) and map the answer's errors to their exceptions; what they add
around that for a reply — the method's and the keyboard's models, dumped
again per call, and the answer read back into a full `Message` (PTB's
`Message.de_json` and `TelegramObject.__setattr__`, a third of the product's
CPU on PTB; aiogram's pydantic models) — is work nothing here reads. So
the calls an update makes (send, edit, answer a press, delete) are written
here, once for both adapters: a keyboard is the same for every citizen at
a step and is serialised once (`markup_json`), and a sent message's answer
is read as its id. Both adapters post them as a form on aiohttp
(`post_form`): aiogram's own session, below aiogram's session layer (its
method and `Response` models cost 16–18 µs of CPU a call), and on PTB a
session of the adapter's own (PTB's httpx client cost about 1.1 ms of CPU
a call); `read_answer` reads the answer (orjson) and maps Telegram's errors
to the four failures `delivery` knows, as the adapters map the frameworks'
exceptions. Polling's getUpdates is read the same way (`read_result`).
The help desk's rarer calls (topics, copies, photos, members) still go
through the frameworks' methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import aiohttp
import orjson

from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    Blocked,
    CallbackButton,
    ClearKeyboard,
    ContactKeyboard,
    DeleteMessage,
    EditText,
    InlineKeyboard,
    LinkButton,
    Markup,
    RemoveKeyboard,
    RetryAfter,
    SendMessage,
    ShowChoice,
    Transient,
    WebAppButton,
    rejected,
)
from bot.channels.telegram.adapter import ALLOWED_UPDATES

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


PostForm = Callable[[str, dict[str, str]], Awaitable[tuple[int, bytes]]]
"""Post a call's parameters as a form to the Bot API's URL for the method; answer the HTTP status and body
(raising `Transient` when no answer came: a lost connection, a timeout)."""

async def post_form(http: aiohttp.ClientSession, url: str, method: str, params: dict[str, str],
                    timeout: aiohttp.ClientTimeout) -> tuple[int, bytes]:
    """Post a call to `url` (the Bot API's, ending in `method`) as the url-encoded form both frameworks post for a
    call without files; its status and body, or `Transient` when no answer came (the error's text without the
    URL, which holds the token)."""
    try:
        async with http.post(url, data=params, timeout=timeout) as response:
            return response.status, await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise Transient(f"{method}: {type(error).__name__}: {str(error).replace(url, method)}") from error


RETRIED_STATUSES = frozenset({408, 409, 429})  # with 5xx: worth trying again (409: another poller, for a moment)


class UnexpectedAnswer(Exception):
    """An answer no call should get — an unauthorised token (401), a body that is not the Bot API's JSON, a 2xx
    saying it failed: none of the four failures `delivery` handles, so the update fails loudly, as it did with
    aiogram's own errors of this kind (TelegramUnauthorizedError, ClientDecodeError)."""


def read_answer(call: WireCall, status: int, body: bytes) -> int | None:
    """The Bot API's answer to `call` as the tree wants it (`WireCall.result`); a refusal as `read_result` says."""
    return call.result(read_result(call.method, status, body))


def read_result(method: str, status: int, body: bytes) -> Any:
    """The `result` of the Bot API's answer to a call of `method`, as JSON; a refusal as the failure `delivery`
    acts on: 429 (or any answer with `retry_after`) `RetryAfter`, 403 `Blocked`, 5xx, 408 and 409 `Transient`,
    another 4xx `Rejected` (`TopicGone` for a forum topic that is gone)."""
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        answer = None
    if type(answer) is not dict:
        if status >= 500 or status in RETRIED_STATUSES:  # a proxy's error page
            raise Transient(f"{method}: HTTP {status}")
        raise UnexpectedAnswer(f"{method}: HTTP {status}, not the Bot API's JSON")
    if 200 <= status < 300 and answer.get("ok") is True:
        return answer.get("result")
    description = str(answer.get("description") or f"HTTP {status}")
    parameters = answer.get("parameters")
    if type(parameters) is dict and parameters.get("retry_after"):
        raise RetryAfter(float(parameters["retry_after"]))
    if status == 403:
        raise Blocked(description)
    if status >= 500 or status in RETRIED_STATUSES:
        raise Transient(description)
    if 400 <= status < 500 and status != 401:
        raise rejected(description)
    raise UnexpectedAnswer(f"{method}: HTTP {status}: {description}")


_ALLOWED_UPDATES_JSON = orjson.dumps(ALLOWED_UPDATES).decode()


def get_updates_call(offset: int | None, timeout: int) -> WireCall:
    """A long poll for the updates this bot takes, after `offset`."""
    params = {"timeout": str(timeout), "allowed_updates": _ALLOWED_UPDATES_JSON}
    if offset is not None:
        params["offset"] = str(offset)
    return WireCall("getUpdates", params)


def polled_updates(result: Any) -> list[dict[str, Any]]:
    """getUpdates' `result`, kept as Telegram sent it once it is a list of updates (objects with an update_id)."""
    if type(result) is not list or not all(
            type(update) is dict and type(update.get("update_id")) is int for update in result):
        raise UnexpectedAnswer("getUpdates answered something other than a list of updates")
    return result


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
