"""The webhook, in process: only the right secret-token header is let in (any other bytes get a 401), a body
that is not JSON gets a 400, and so does JSON that is no update, whether or not it is read before the framework."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import orjson
import pytest
from aiohttp import web

from bot.channels.telegram.citizen_json import CitizenUpdate, parse_update
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.telegram.webhook import SECRET_HEADER, mount_webhook
from bot.ops.web import serving
from conversations.events import Said
from tests.botprocess import TOKEN
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


CITIZEN = {"id": 7, "is_bot": False, "first_name": "An", "language_code": "vi"}
TEXT = {"message_id": 3, "date": 1796675065, "chat": {"id": 7, "type": "private", "first_name": "An"},
        "from": CITIZEN, "text": "Nguyễn Văn An"}


@pytest.fixture(params=["aiogram", "ptb"])
async def reading_webhook(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, list[Any]]]:
    """The webhook as `regbot run --webhook` mounts it: a citizen's everyday update read from its JSON, any
    other parsed by the framework."""
    adapter = make_adapter(request.param, TOKEN, "http://127.0.0.1:9")  # never called
    handled: list[Any] = []

    async def handle(update: Any, reply: object) -> None:
        handled.append(update)

    app = web.Application()
    mount_webhook(app, "/telegram/webhook", SECRET, partial(parse_update, framework_parse=adapter.parse_update),
                  handle)
    async with serving(app, "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}/telegram/webhook", handled
    await adapter.close()


async def test_a_citizens_text_is_read_from_its_json_and_an_edit_by_the_framework(
    reading_webhook: tuple[str, list[Any]],
) -> None:
    url, handled = reading_webhook
    headers = {SECRET_HEADER: SECRET.encode()}
    assert await post_raw(url, headers, orjson.dumps({"update_id": 1, "message": TEXT})) == 200
    assert await post_raw(url, headers, orjson.dumps({"update_id": 2, "edited_message": {**TEXT, "edit_date": 1}})) \
        == 200
    text, edit = handled
    assert isinstance(text, CitizenUpdate) and text.event == Said("Nguyễn Văn An")
    assert not isinstance(edit, CitizenUpdate) and edit.edited_message.text == "Nguyễn Văn An"  # the framework's


@pytest.mark.parametrize("body", [b"[1]", b'"an update"', b"5", b"null"])
async def test_json_that_is_no_update_is_answered_400_and_not_handled(
    reading_webhook: tuple[str, list[Any]], body: bytes,
) -> None:
    url, handled = reading_webhook
    assert await post_raw(url, {SECRET_HEADER: SECRET.encode()}, body) == 400
    assert handled == []


async def test_a_number_for_text_is_refused_as_the_framework_refuses_it(
    reading_webhook: tuple[str, list[Any]],
) -> None:
    """aiogram refuses it (400); PTB takes it and the front ignores it (`updates.read_update`): as before the
    JSON was read first."""
    url, handled = reading_webhook
    status = await post_raw(url, {SECRET_HEADER: SECRET.encode()},
                            orjson.dumps({"update_id": 1, "message": {**TEXT, "text": 5}}))
    assert (status, len(handled)) in ((400, 0), (200, 1))
    assert not any(isinstance(update, CitizenUpdate) for update in handled)
