"""The fake Zalo OA keeps ZALO.md's rules, checked with a plain HTTP client (no product code)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.clock import ManualClock
from tests.fakezalo import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_SECRET_KEY, FakeZaloOA

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class Receiver:
    """A webhook endpoint that answers the statuses it is given, then 200, and keeps what came."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[bytes, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((await request.read(), request.headers["X-ZEvent-Signature"]))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver(oa: FakeZaloOA) -> AsyncIterator[Receiver]:
    receiver = Receiver([])
    app = web.Application()
    app.router.add_post("/zalo/webhook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/webhook"
    yield receiver
    await runner.cleanup()


async def send(http: aiohttp.ClientSession, oa: FakeZaloOA, token: str, user_id: str,
               message: dict[str, Any]) -> dict[str, Any]:
    async with http.post(f"{oa.base_url}/v3.0/oa/message/cs", headers={"access_token": token},
                         json={"recipient": {"user_id": user_id}, "message": message}) as response:
        assert response.status == 200  # errors come back with 200 too
        return await response.json()  # type: ignore[no-any-return]


async def test_webhooks_are_signed_as_zalo_signs_and_retried_until_200(oa: FakeZaloOA, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]
    body = await oa.text("u1", "xin chào")
    assert [status for _, status in oa.deliveries] == [500, 503, 200]
    raw, header = receiver.received[-1]
    assert json.loads(raw) == body and body["message"]["text"] == "xin chào"
    assert header == "mac=" + hashlib.sha256(APP_ID.encode() + raw + body["timestamp"].encode()
                                             + OA_SECRET_KEY.encode()).hexdigest()


async def test_a_duplicate_is_the_same_body_twice(oa: FakeZaloOA, receiver: Receiver) -> None:
    await oa.press("u1", "btn:consent", duplicate=True)
    assert len(receiver.received) == 2 and receiver.received[0] == receiver.received[1]


async def test_follow_carries_the_follower_not_a_sender(oa: FakeZaloOA, receiver: Receiver) -> None:
    body = await oa.follow("u2")
    assert body["follower"] == {"id": "u2"} and "sender" not in body


async def test_the_7_day_window_follows_the_clock(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession, clock: ManualClock,
) -> None:
    token = oa.issue_access_token()
    await oa.text("u1", "hi")
    assert (await send(http, oa, token, "u1", {"text": "ok"}))["error"] == 0
    clock.advance(7 * 24 * 3600 + 1)
    token = oa.issue_access_token()
    assert (await send(http, oa, token, "u1", {"text": "late"}))["error"] == -230
    await oa.text("u1", "back")
    assert (await send(http, oa, token, "u1", {"text": "ok"}))["error"] == 0
    await oa.unfollow("u1")
    assert (await send(http, oa, token, "u1", {"text": "gone"}))["error"] == -213
    assert [message.text for message in oa.sent_to("u1")] == ["ok", "ok"]


async def test_tokens_unknown_and_expired_are_told_apart(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession, clock: ManualClock,
) -> None:
    await oa.text("u1", "hi")
    token = oa.issue_access_token()
    assert (await send(http, oa, "forged", "u1", {"text": "x"}))["error"] == -216
    clock.advance(90000)
    await oa.text("u1", "hi again")
    assert (await send(http, oa, token, "u1", {"text": "x"}))["error"] == -220


async def test_a_refresh_token_works_once(oa: FakeZaloOA, http: aiohttp.ClientSession) -> None:
    async def refresh(token: str) -> dict[str, Any]:
        async with http.post(f"{oa.base_url}/v4/oa/access_token", headers={"secret_key": APP_SECRET},
                             data={"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": token}) as r:
            return await r.json()  # type: ignore[no-any-return]

    first = await refresh(FIRST_REFRESH_TOKEN)
    assert first["expires_in"] == "90000" and first["refresh_token"] != FIRST_REFRESH_TOKEN
    assert "access_token" not in await refresh(FIRST_REFRESH_TOKEN)  # spent
    assert "access_token" in await refresh(first["refresh_token"])
    assert (oa.world.tokens.refreshes, oa.world.tokens.refused_refreshes) == (2, 1)


async def test_messages_past_zalo_s_limits_are_refused(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession,
) -> None:
    await oa.text("u1", "hi")
    token = oa.issue_access_token()
    six = [{"type": "oa.query.hide", "title": str(n), "payload": f"btn:{n}"} for n in range(6)]
    buttons = {"text": "?", "attachment": {"type": "template", "payload": {"buttons": six}}}
    assert (await send(http, oa, token, "u1", buttons))["error"] == -201
    assert (await send(http, oa, token, "u1", {"text": "x" * 2001}))["error"] == -201
    oa.rate_limit = (2, 60.0)
    assert [(await send(http, oa, token, "u1", {"text": "n"}))["error"] for _ in range(3)] == [0, 0, -32]


async def test_an_uploaded_image_can_be_sent_and_a_citizen_s_image_fetched(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession,
) -> None:
    token = oa.issue_access_token()
    form = aiohttp.FormData()
    form.add_field("file", PNG, filename="a.png", content_type="image/png")
    async with http.post(f"{oa.base_url}/v2.0/oa/upload/image", headers={"access_token": token}, data=form) as r:
        attachment_id = (await r.json())["data"]["attachment_id"]
    body = await oa.image("u1", PNG)
    media = {"attachment": {"type": "template", "payload": {
        "template_type": "media", "elements": [{"media_type": "image", "attachment_id": attachment_id}]}}}
    assert (await send(http, oa, token, "u1", media))["error"] == 0
    url = body["message"]["attachments"][0]["payload"]["url"]
    async with http.get(url) as response:
        assert await response.read() == PNG
    oa.expire_images()
    async with http.get(url) as response:
        assert response.status == 404


async def test_request_user_info_is_answered_by_a_signed_user_submit_info(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession,
) -> None:
    await oa.text("u1", "hi")
    token = oa.issue_access_token()
    form = {"attachment": {"type": "template", "payload": {"template_type": "request_user_info", "elements": [
        {"title": "Số điện thoại", "subtitle": "Chia sẻ số của bạn", "image_url": "https://example.vn/p.png"}]}}}
    assert (await send(http, oa, token, "u1", form))["error"] == 0
    (shown,) = oa.sent_to("u1")
    assert shown.kind == "request_user_info" and shown.element["title"] == "Số điện thoại"
    body = await oa.submit_info("u1", "84912345678", nested=True)
    raw, header = receiver.received[-1]
    assert json.loads(raw) == body and header.startswith("mac=")
    assert body["event_name"] == "user_submit_info" and body["sender"] == {"id": "u1"} and "message" not in body
    assert body["info"]["phone"] == "84912345678" and body["info"]["name"] == "Nguyễn Văn An"
    assert body["info"]["address"] == {"address": "", "city": "", "district": "", "ward": ""}  # nested
    assert (await send(http, oa, token, "u1", {"text": "cảm ơn"}))["error"] == 0  # an interaction: the window open


async def test_a_banned_or_inactive_citizen_is_refused_with_227(
    oa: FakeZaloOA, receiver: Receiver, http: aiohttp.ClientSession,
) -> None:
    await oa.text("u1", "hi")
    token = oa.issue_access_token()
    oa.world.follower("u1").banned = True
    answer = await send(http, oa, token, "u1", {"text": "x"})
    assert answer["error"] == -227 and "banned" in answer["message"]
    assert oa.sent_to("u1") == []
