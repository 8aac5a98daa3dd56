"""The Zalo OA Open API, as the bot uses it: consultation messages (text, buttons, images, a phone request).

Every call carries the OA's access token in the `access_token` header (not
`Bearer`) and comes back with HTTP 200, a failure as a negative `error`
(errors.py gives each its meaning). Two meanings are handled here, so that
no caller repeats them: a refused token is refreshed once (through
`AccessTokens`, which rotates it for every worker) and the call made again;
a rate limit pauses the OA's sending (pace.py) and the call is made again, a
few times. A network error or a 5xx is retried with backoff. Every other
meaning is raised for the caller (the channel's way out) to act on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import orjson

from bot.channels.zalo import assumptions
from bot.channels.zalo.errors import RateLimited, TokenRefused, Unavailable, ZaloApiError, error_for
from bot.channels.zalo.pace import SendPace

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # characters in one message: a longer answer is split by the caller
MAX_BUTTONS = 5  # a question with more choices is sent as a numbered list by the caller
TRIES = 4  # for a network error, a 5xx or a rate limit
SEND = "/v3.0/oa/message/cs"
UPLOAD_IMAGE = "/v2.0/oa/upload/image"


class AccessTokens(Protocol):
    """The OA's access token, shared by every worker (bot/channels/zalo/tokens.py)."""

    async def current(self) -> str:
        """The token to call with now."""

    async def refreshed(self, stale: str) -> str:
        """A token other than `stale`, which the API refused: another worker's newer one, or a fresh one."""


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str  # payloads.press_payload(button id)


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str


class ZaloApi:
    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, tokens: AccessTokens, pace: SendPace | None = None,
        backoff: float = 0.5, timeout: float = 10.0,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._tokens = tokens
        self._pace = pace or SendPace()
        self._backoff = backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_text(self, user_id: str, text: str) -> Sent:
        return await self._send(user_id, {"text": _checked(text)})

    async def send_buttons(self, user_id: str, text: str, buttons: Sequence[Button]) -> Sent:
        """The text with up to MAX_BUTTONS buttons whose press comes back as their payload, unseen in the chat."""
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            raise ValueError(f"Zalo shows 1 to {MAX_BUTTONS} buttons, not {len(buttons)}: send a numbered list")
        return await self._send(user_id, {"text": _checked(text), "attachment": {"type": "template", "payload": {
            "buttons": [{"title": button.title, "type": assumptions.BUTTON_TYPE, "payload": button.payload}
                        for button in buttons]}}})

    async def request_user_info(self, user_id: str, title: str, subtitle: str, image_url: str) -> Sent:
        """Zalo's own form asking the citizen to share their phone; the answer comes as `user_submit_info`."""
        return await self._send(user_id, {"attachment": {"type": "template", "payload": {
            "template_type": "request_user_info",
            "elements": [{"title": title, "subtitle": subtitle, "image_url": image_url}]}}})

    async def send_image(self, user_id: str, image: bytes, content_type: str, caption: str = "") -> Sent:
        """Upload the image (JPG or PNG, at most IMAGE_MAX_BYTES), then send it; its id lasts 7 days."""
        if len(image) > assumptions.IMAGE_MAX_BYTES or content_type not in ("image/jpeg", "image/png"):
            raise ValueError(f"Zalo takes JPG or PNG images of at most {image_limit()}: convert or shrink it first")
        attachment_id = await self.upload_image(image, content_type)
        message: dict[str, Any] = {"attachment": {"type": "template", "payload": {
            "template_type": "media", "elements": [{"media_type": "image", "attachment_id": attachment_id}]}}}
        if caption:
            message["text"] = _checked(caption)
        return await self._send(user_id, message)

    async def upload_image(self, image: bytes, content_type: str) -> str:
        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            data.add_field("file", image, filename="image.png" if content_type == "image/png" else "image.jpg",
                           content_type=content_type)
            return data

        data = await self._call(UPLOAD_IMAGE, form=form, paced=False)
        return str(data["attachment_id"])

    async def _send(self, user_id: str, message: dict[str, Any]) -> Sent:
        body = orjson.dumps({"recipient": {"user_id": user_id}, "message": message})
        data = await self._call(SEND, body=body, paced=True)
        return Sent(str(data.get("message_id", "")))

    async def _call(self, path: str, *, body: bytes | None = None,
                    form: Callable[[], aiohttp.FormData] | None = None, paced: bool) -> dict[str, Any]:
        """POST to `path`, refreshing a refused token once and retrying a rate limit or an outage."""
        token = await self._tokens.current()
        refreshed = False
        failures = 0
        while True:
            if paced:
                await self._pace.slot()
            try:
                answer = await self._post(path, token, body, form() if form else None)
            except Unavailable:
                failures += 1
                if failures >= TRIES:
                    raise
                await asyncio.sleep(self._backoff * 2.0 ** (failures - 1))
                continue
            code = int(answer.get("error", 0) or 0)
            if code == 0:
                self._pace.went_through()
                data = answer.get("data")
                return data if isinstance(data, dict) else {}
            error = error_for(code, str(answer.get("message", "")))
            if isinstance(error, TokenRefused) and not refreshed:
                token, refreshed = await self._tokens.refreshed(token), True
                continue
            if isinstance(error, RateLimited) and failures + 1 < TRIES:
                failures += 1
                log.warning("Zalo: rate limited (-32); sending paused %.1f s", self._pace.rate_limited())
                continue
            raise error

    async def _post(self, path: str, token: str, body: bytes | None, form: aiohttp.FormData | None) -> dict[str, Any]:
        headers = {"access_token": token}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            async with self._session.post(self._base + path, data=body if body is not None else form,
                                          headers=headers, timeout=self._timeout) as response:
                raw = await response.read()
                if response.status >= 500:
                    raise Unavailable(0, f"HTTP {response.status}")
                if response.status != 200:
                    raise error_for(-201, f"HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Unavailable(0, type(error).__name__) from None
        try:
            answer = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise Unavailable(0, "an answer that is not JSON") from None
        if not isinstance(answer, dict):
            raise Unavailable(0, "an answer that is not a JSON object")
        return answer


def image_limit() -> str:
    """assumptions.IMAGE_MAX_BYTES as people write it ("1 MB"), for whatever names the limit."""
    return f"{assumptions.IMAGE_MAX_BYTES / 2**20:g} MB"


def _checked(text: str) -> str:
    if not text or len(text) > MAX_TEXT:
        raise ValueError(f"a Zalo message holds 1 to {MAX_TEXT} characters, not {len(text)}: split it first")
    return text


__all__ = ["MAX_BUTTONS", "MAX_TEXT", "AccessTokens", "Button", "Sent", "ZaloApi", "ZaloApiError", "image_limit"]
