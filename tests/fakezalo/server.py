"""A fake Zalo OA Open API and OAuth server over real HTTP, which also delivers the OA's signed webhooks.

Point ZALO_API_URL and ZALO_OAUTH_URL at `await oa.start()`. It serves
`POST /v3.0/oa/message/cs`, `POST /v2.0/oa/upload/image`,
`GET /v3.0/oa/user/detail`, `POST /v4/oa/access_token` (the refresh) and
the citizens' images (`/media/<id>`), keeping ZALO.md's rules (`world.py`,
`messages.py`). Tests act as citizens (`text`, `press`, `image`,
`submit_info`, `follow`, `unfollow`): each is an interaction, and is POSTed
to `webhook_url` signed as Zalo signs (`X-ZEvent-Signature: mac=` SHA-256 of
app id + body + timestamp + secret), again while the bot answers other than
200 (`attempts`), twice with `duplicate=True`. They read back what the OA
sent (`sent`), make calls fail (`fail_next`), limit the rate
(`rate_limit`), and move time with the clock they gave.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Self

import aiohttp
from aiohttp import web

from tests.fakezalo.messages import Sent, read_message
from tests.fakezalo.world import (
    APP_ID,
    APP_SECRET,
    ATTACHMENT_LIFETIME,
    FIRST_REFRESH_TOKEN,
    OA_ID,
    OA_SECRET_KEY,
    World,
    ZaloError,
)

__all__ = ["FakeZaloOA", "Sent"]

MAX_UPLOAD = 1024 * 1024
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The header's value as ZALO.md gives it: plain SHA-256 (not an HMAC) of the four, in this order."""
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


class FakeZaloOA:
    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC), *, app_id: str = APP_ID,
                 oa_id: str = OA_ID, signing_secret: str = OA_SECRET_KEY, attempts: int = 3) -> None:
        self.clock = clock
        self.app_id, self.oa_id, self.signing_secret = app_id, oa_id, signing_secret
        self.world = World(clock())
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, int]] = []  # (path, error code answered) of every API request
        self.webhook_url: str | None = None
        self.deliveries: list[tuple[str, int]] = []  # (event's msg_id or name, HTTP status) of each webhook POST
        self.attempts = attempts
        self.rate_limit: tuple[int, float] | None = None  # at most (count) messages per (seconds), else -32
        self.refresh_delay = 0.0  # seconds the refresh takes before answering: widens a race between workers
        self._sent_times: deque[float] = deque()
        self._failures: dict[str, deque[int]] = {}
        self._images: dict[str, bytes] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""

    def bot_settings(self) -> dict[str, str]:
        """The ZALO_* settings that point a `regbot run` at this OA (once started)."""
        return {"ZALO_APP_ID": self.app_id, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": self.signing_secret,
                "ZALO_REFRESH_TOKEN": FIRST_REFRESH_TOKEN, "ZALO_API_URL": self.base_url,
                "ZALO_OAUTH_URL": self.base_url}

    async def start(self) -> str:
        app = web.Application(client_max_size=2 * MAX_UPLOAD)
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        app.router.add_get("/v3.0/oa/user/detail", self._user_detail)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession()
        return self.base_url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # --- controls -------------------------------------------------------------------------------------------

    def fail_next(self, path: str, code: int, times: int = 1) -> None:
        """The next `times` requests to `path` ("/v3.0/oa/message/cs", …) answer this error, doing nothing."""
        self._failures.setdefault(path, deque()).extend([code] * times)

    def issue_access_token(self) -> str:
        """An access token valid now, as the OA's admin page would hand one out (ZALO_ACCESS_TOKEN)."""
        return self.world.issue_access(self.clock())

    def sent_to(self, user_id: str) -> list[Sent]:
        return [message for message in self.sent if message.user_id == user_id]

    # --- the citizen's side: each an interaction, delivered as a signed webhook --------------------------------

    async def text(self, user_id: str, text: str, **delivery: Any) -> dict[str, Any]:
        return await self._citizen("user_send_text", user_id, {"text": text}, **delivery)

    async def press(self, user_id: str, payload: str, **delivery: Any) -> dict[str, Any]:
        """A press on an `oa.query.hide` button: a text event whose text is the payload."""
        return await self.text(user_id, payload, **delivery)

    def host_image(self, data: bytes) -> str:
        """The URL Zalo gives a citizen's image in its event: served until `expire_images`."""
        name = secrets.token_hex(8)
        self._images[name] = data
        return f"{self.base_url}/media/{name}"

    async def image(self, user_id: str, data: bytes, **delivery: Any) -> dict[str, Any]:
        url = self.host_image(data)
        attachment = {"type": "image", "payload": {"thumbnail": url, "url": url}}
        return await self._citizen("user_send_image", user_id, {"attachments": [attachment]}, **delivery)

    def expire_images(self) -> None:
        """Every image URL handed out so far stops working (how long they last is unconfirmed)."""
        self._images.clear()

    async def submit_info(self, user_id: str, phone: str, name: str = "Nguyễn Văn An", nested: bool = False,
                          **delivery: Any) -> dict[str, Any]:
        """The answer to `request_user_info`; `nested`: the shape some sources give, address fields nested."""
        info: dict[str, Any] = {"name": name, "phone": phone}
        info |= ({"address": {"address": "", "city": "", "district": "", "ward": ""}} if nested
                 else {"address": "", "city": "", "district": "", "ward": ""})
        self.world.interacted(user_id, self.clock())
        body = self.event("user_submit_info", user_id)
        del body["message"]  # the answer sits beside the sender, as `info`, with no message of its own
        return await self.deliver(body | {"info": info}, **delivery)

    async def follow(self, user_id: str, **delivery: Any) -> dict[str, Any]:
        follower = self.world.interacted(user_id, self.clock())
        follower.follows = True
        return await self.deliver(self.event("follow", user_id), **delivery)

    async def unfollow(self, user_id: str, **delivery: Any) -> dict[str, Any]:
        self.world.follower(user_id).follows = False
        return await self.deliver(self.event("unfollow", user_id), **delivery)

    async def _citizen(self, name: str, user_id: str, message: dict[str, Any], **delivery: Any) -> dict[str, Any]:
        self.world.interacted(user_id, self.clock())
        return await self.deliver(self.event(name, user_id, message), **delivery)

    def event(self, name: str, user_id: str, message: dict[str, Any] | None = None,
              at: datetime | None = None) -> dict[str, Any]:
        """An event's body as Zalo posts it (ids and the epoch-ms timestamp as strings)."""
        timestamp = str(int((at or self.clock()).timestamp() * 1000))
        body: dict[str, Any] = {"app_id": self.app_id, "event_name": name, "timestamp": timestamp,
                                "user_id_by_app": "app-" + user_id}
        if name in ("follow", "unfollow"):
            body |= {"oa_id": self.oa_id, "follower": {"id": user_id}, "source": "oa_profile"}
        else:
            body |= {"sender": {"id": user_id}, "recipient": {"id": self.oa_id},
                     "message": {"msg_id": secrets.token_hex(16), **(message or {})}}
        return body

    async def deliver(self, body: dict[str, Any], *, duplicate: bool = False, sign_with: str | None = None,
                      signature_header: str | None = None) -> dict[str, Any]:
        """POST the event to `webhook_url` as Zalo does: again while the answer is not 200 (up to `attempts`),
        and once more after a 200 if `duplicate`. Answers the body delivered."""
        assert self._session is not None and self.webhook_url, "start() the fake and set webhook_url first"
        raw = json.dumps(body, ensure_ascii=False).encode()
        header = signature_header or signature(self.app_id, raw, body["timestamp"], sign_with or self.signing_secret)
        name = body.get("message", {}).get("msg_id") or body["event_name"]
        for _copy in range(2 if duplicate else 1):
            for _ in range(self.attempts):
                async with self._session.post(self.webhook_url, data=raw, headers={
                        "X-ZEvent-Signature": header, "Content-Type": "application/json"}) as response:
                    await response.read()
                    self.deliveries.append((name, response.status))
                if response.status == 200:
                    break
        return body

    # --- the API --------------------------------------------------------------------------------------------

    def _answer(self, path: str, data: Any = None, error: ZaloError | None = None) -> web.Response:
        self.calls.append((path, error.code if error else 0))
        if error is not None:
            return web.json_response({"error": error.code, "message": error.message})
        return web.json_response({"error": 0, "message": "Success", "data": data})

    def _injected(self, path: str) -> ZaloError | None:
        queue = self._failures.get(path)
        if queue:
            return ZaloError(queue.popleft(), "injected failure")
        return None

    async def _send(self, request: web.Request) -> web.Response:
        path, now = request.path, self.clock()
        try:
            if injected := self._injected(path):
                raise injected
            self.world.check_access(request.headers.get("access_token"), now)
            self._count_against_rate()
            body = await request.json()
            user_id = str(body.get("recipient", {}).get("user_id", ""))
            sent = read_message(user_id, body.get("message"))
            self.world.check_recipient(user_id, now)
            if sent.attachment_id is not None:
                self.world.attachment(sent.attachment_id, now)
        except ZaloError as error:
            return self._answer(path, error=error)
        except (ValueError, AttributeError):
            return self._answer(path, error=ZaloError(-201, "body is not a JSON object"))
        sent.message_id = secrets.token_hex(16)
        self.sent.append(sent)
        return self._answer(path, {"message_id": sent.message_id, "user_id": user_id,
                                   "sent_time": str(int(now.timestamp() * 1000)),
                                   "quota": {"quota_type": "reply", "remain": "unlimited"}})

    def _count_against_rate(self) -> None:
        if self.rate_limit is None:
            return
        count, seconds = self.rate_limit
        now = time.monotonic()
        while self._sent_times and self._sent_times[0] <= now - seconds:
            self._sent_times.popleft()
        if len(self._sent_times) >= count:
            raise ZaloError(-32, "Exceeded the rate limit")
        self._sent_times.append(now)

    async def _upload(self, request: web.Request) -> web.Response:
        path, now = request.path, self.clock()
        try:
            if injected := self._injected(path):
                raise injected
            self.world.check_access(request.headers.get("access_token"), now)
            form = await request.post()
            upload = form.get("file")
            data = upload.file.read() if isinstance(upload, web.FileField) else None
            if data is None:
                raise ZaloError(-201, "file is missing")
            if len(data) > MAX_UPLOAD:
                raise ZaloError(-201, "file is larger than 1 MB")
            if not any(data.startswith(magic) for magic in IMAGE_TYPES):
                raise ZaloError(-201, "only JPG and PNG are accepted")
        except ZaloError as error:
            return self._answer(path, error=error)
        attachment_id = secrets.token_urlsafe(24)
        self.world.attachments[attachment_id] = (data, now + ATTACHMENT_LIFETIME)
        return self._answer(path, {"attachment_id": attachment_id})

    async def _user_detail(self, request: web.Request) -> web.Response:
        path, now = request.path, self.clock()
        try:
            self.world.check_access(request.headers.get("access_token"), now)
            user_id = str(json.loads(request.query.get("data", "{}")).get("user_id", ""))
            follower = self.world.followers.get(user_id)
            if follower is None:
                raise ZaloError(-201, "user_id is invalid")
        except ZaloError as error:
            return self._answer(path, error=error)
        last = follower.last_interaction
        return self._answer(path, {"user_id": user_id, "display_name": follower.name,
                                   "user_is_follower": follower.follows,
                                   "user_last_interaction_date": last.strftime("%d/%m/%Y") if last else None})

    async def _refresh(self, request: web.Request) -> web.Response:
        """OAuth's refresh: form-encoded, the app secret in `secret_key`; each refresh token works once."""
        form = await request.post()
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        now = self.clock()
        try:
            if injected := self._injected(request.path):
                raise injected
            if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != self.app_id:
                raise ZaloError(-14002, "Invalid app_id or secret_key")
            if form.get("grant_type") != "refresh_token":
                raise ZaloError(-14003, "Invalid grant_type")
            access, refresh = self.world.rotate(str(form.get("refresh_token", "")), now)
        except ZaloError as error:
            self.calls.append((request.path, error.code))
            return web.json_response({"error": error.code, "error_name": "Invalid parameter",
                                      "error_reason": error.message, "error_description": error.message})
        self.calls.append((request.path, 0))
        return web.json_response({"access_token": access, "refresh_token": refresh, "expires_in": "90000"})

    async def _media(self, request: web.Request) -> web.Response:
        data = self._images.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")
