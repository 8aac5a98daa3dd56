"""The webhook, in process: only the right secret-token header is let in (any other bytes get a 401), and a body
that is not JSON gets a 400."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.channels.telegram.webhook import SECRET_HEADER, mount_webhook
from bot.ops.web import serving
from tests.raw_http import post_raw

SECRET = "s3cret-Token_1"


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[str, list[Any]]]:
    handled: list[Any] = []

    async def handle(update: Any, reply: object) -> None:
        handled.append(update)

    app = web.Application()
    mount_webhook(app, "/telegram/webhook", SECRET, parse=dict, handle=handle)
    async with serving(app, "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}/telegram/webhook", handled


@pytest.mark.parametrize("secret", [
    "s3cret-Token_é".encode(),  # UTF-8 that is not ASCII: a str compare_digest refuses to compare
    b"s3cret-Token_\xe9",  # not even UTF-8: aiohttp hands it on as a lone surrogate
    b"\xff\xfe",
    b"",
    b"s3cret-Token_2",
])
async def test_a_wrong_secret_of_any_bytes_is_refused_with_401(
    webhook: tuple[str, list[Any]], secret: bytes,
) -> None:
    url, handled = webhook
    assert await post_raw(url, {SECRET_HEADER: secret}) == 401
    assert handled == []


async def test_the_right_secret_is_let_in(webhook: tuple[str, list[Any]]) -> None:
    url, handled = webhook
    assert await post_raw(url, {SECRET_HEADER: SECRET.encode()}, b'{"update_id": 1}') == 200
    assert handled == [{"update_id": 1}]


@pytest.mark.parametrize("body", [
    b"", b"{not json", b'{"update_id": 1',
    b'{"update_id": 1, "text": "\xed\xb3\xbf"}',  # a lone surrogate in UTF-8: not valid UTF-8
])
async def test_an_unreadable_update_is_answered_400_and_not_handled(
    webhook: tuple[str, list[Any]], body: bytes,
) -> None:
    url, handled = webhook
    assert await post_raw(url, {SECRET_HEADER: SECRET.encode()}, body) == 400
    assert handled == []
