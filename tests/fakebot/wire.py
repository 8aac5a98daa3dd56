"""The Bot API's wire format: how parameters arrive, and how answers and errors leave.

Telegram accepts a query string, JSON, url-encoded forms and multipart forms.
Clients differ (aiogram posts forms with nested objects as JSON strings and
files as `attach://<field>`; python-telegram-bot posts url-encoded or
multipart forms), so every body is read into one plain dict with the types a
JSON client would have sent. Tests then compare `call.params["chat_id"] == 42`
and read `call.params["reply_markup"]` as a dict, whatever the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from aiohttp import BodyPartReader, MultipartReader, web

# Parameters the Bot API documents as JSON-serialized objects or arrays.
JSON_FIELDS = frozenset({
    "allowed_updates", "caption_entities", "commands", "entities", "link_preview_options", "media",
    "menu_button", "message_ids", "options", "permissions", "reply_markup", "reply_parameters", "results",
    "rights", "scope",
})
INT_FIELDS = frozenset({
    "cache_time", "duration", "height", "icon_color", "limit", "max_connections", "message_id",
    "message_thread_id", "offset", "reply_to_message_id", "timeout", "until_date", "user_id", "width",
})
BOOL_FIELDS = frozenset({
    "allow_paid_broadcast", "allow_sending_without_reply", "disable_content_type_detection",
    "disable_notification", "disable_web_page_preview", "drop_pending_updates", "for_channels", "has_spoiler",
    "is_big", "only_if_banned", "protect_content", "revoke_messages", "show_alert", "show_caption_above_media",
})
CHAT_FIELDS = frozenset({"chat_id", "from_chat_id"})  # an integer id, or "@username"
_INTEGER = re.compile(r"-?\d+")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file posted in a multipart request, as Telegram would receive it."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class ApiError(Exception):
    """An error answer: `{"ok": false, "error_code", "description", "parameters"?}` with that HTTP status."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class Described(NamedTuple):
    """A result Telegram answers with a description too (setWebhook: "Webhook was set")."""

    result: Any
    description: str


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def ok_body(result: Any, description: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description is not None:
        body["description"] = description
    return body


def dumps(value: Any) -> str:
    """JSON as Telegram writes it: UTF-8, not \\u-escaped."""
    return json.dumps(value, ensure_ascii=False)


class _Parts(Protocol):
    def __aiter__(self) -> AsyncIterator[MultipartReader | BodyPartReader | None]: ...


async def read_multipart(parts: _Parts) -> dict[str, Any]:
    """Fields of a multipart form: text as str, files as `Upload` (a request's body or a webhook's reply)."""
    fields: dict[str, Any] = {}
    async for part in parts:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            content_type = part.headers.get("Content-Type", "application/octet-stream")
            fields[part.name] = Upload(part.filename, bytes(await part.read(decode=True)), content_type)
        else:
            fields[part.name] = await part.text()
    return fields


async def read_params(request: web.Request) -> dict[str, Any]:
    """Every parameter of a Bot API request, wherever the client put it, normalised."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.text() or "{}")
            except json.JSONDecodeError as error:
                raise bad_request("can't parse JSON encoded request body") from error
            if not isinstance(body, dict):
                raise bad_request("JSON object expected as the request body")
            params.update(body)
        elif content_type.startswith("multipart/"):
            params.update(await read_multipart(await request.multipart()))
        else:
            params.update(await request.post())
    return normalise(params)


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Form strings typed as a JSON client would send them; `attach://name` replaced by the file it names."""
    attached = {value.removeprefix("attach://") for value in raw.values()
                if isinstance(value, str) and value.startswith("attach://")}
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if name in attached and isinstance(value, Upload):
            continue
        if isinstance(value, str) and value.startswith("attach://"):
            value = raw.get(value.removeprefix("attach://"), value)
        params[name] = _typed(name, value)
    return params


def _typed(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value  # the handler reports it the way Telegram does
    if (name in INT_FIELDS or name in CHAT_FIELDS) and _INTEGER.fullmatch(value):
        return int(value)
    if name in BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value
