"""Zalo's webhook events read into the core's events, as the fake OA sends them."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.channels.zalo import assumptions
from bot.channels.zalo.events import ZaloEvent, read_event, to_incoming
from bot.channels.zalo.images import image_fetcher
from bot.storage import DialogKey
from conversations.events import Command, Picture, PictureProblem, Pressed, Said, SharedContact, Unsupported
from tests.cccd_images import card_payload, card_photo
from tests.fakezalo import FakeZaloOA

CHANNEL = "zalo:1234"


async def never(url: str) -> bytes:
    raise AssertionError("no download for this event")


def incoming_event(body: dict[str, Any]) -> object:
    incoming = to_incoming(read_event(body), CHANNEL, never)
    assert incoming is not None
    assert incoming.key == DialogKey(CHANNEL, "u1", "u1")
    return incoming.event


@pytest.mark.parametrize(("text", "event"), [
    ("0821234088", Said("0821234088")),
    ("/help", Command("help")),
    ("/language en", Command("language", "en")),
    ("#btn:consent:yes", Pressed("consent:yes")),
    ("#btn:", Said("#btn:")),
])
def test_text_is_said_a_command_or_a_press(oa: FakeZaloOA, text: str, event: object) -> None:
    assert incoming_event(oa.event("user_send_text", "u1", {"text": text})) == event


def test_a_press_is_read_from_the_event_the_assumption_names(oa: FakeZaloOA, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were Zalo found to send a press as another event, assumptions.py's one line would be all to change."""
    monkeypatch.setattr(assumptions, "PRESS_ARRIVES_AS", "user_click_button")
    assert incoming_event(oa.event("user_click_button", "u1", {"text": "#btn:consent:yes"})) == Pressed("consent:yes")
    assert incoming_event(oa.event("user_send_text", "u1", {"text": "#btn:consent:yes"})) == Said("#btn:consent:yes")
    assert incoming_event(oa.event("user_send_text", "u1", {"text": "/help"})) == Command("help")


def test_a_follow_starts_and_an_unfollow_or_an_echo_is_nothing_for_the_core(oa: FakeZaloOA) -> None:
    assert incoming_event(oa.event("follow", "u1")) == Command("start")
    unfollow = read_event(oa.event("unfollow", "u1"))
    assert unfollow.unfollowed and to_incoming(unfollow, CHANNEL, never) is None
    echo = oa.event("oa_send_text", "u2", {"text": "x"}) | {"recipient": {"id": "u1"}}
    assert to_incoming(read_event(echo), CHANNEL, never) is None


@pytest.mark.parametrize("nested", [False, True])
def test_a_submitted_phone_is_the_citizen_s_own_contact_whatever_the_info_s_shape(
    oa: FakeZaloOA, nested: bool,
) -> None:
    info = {"name": "An", "phone": "84912345678"} | (
        {"address": {"city": "Hà Nội"}} if nested else {"city": "Hà Nội"})
    body = oa.event("user_submit_info", "u1") | {"info": info}
    assert incoming_event(body) == SharedContact("84912345678", own=True)


def test_stickers_and_files_are_content_the_bot_does_not_take(oa: FakeZaloOA) -> None:
    assert incoming_event(oa.event("user_send_sticker", "u1", {})) == Unsupported("sticker")
    assert incoming_event(oa.event("user_send_file", "u1", {})) == Unsupported("document")


def test_a_follow_without_a_message_id_still_has_an_id_of_its_own_that_names_no_one(oa: FakeZaloOA) -> None:
    body = oa.event("follow", "8412345")
    event = read_event(body)
    assert isinstance(event, ZaloEvent) and event.event_id.startswith("follow:") and "8412345" not in event.event_id
    assert read_event(dict(body)).event_id == event.event_id  # Zalo's repeat of it has the same
    later = {**body, "timestamp": str(int(body["timestamp"]) + 1)}
    assert read_event(later).event_id != event.event_id  # the citizen following again is another event


@pytest.mark.parametrize("body", [[], {"event_name": "user_send_text"}, {"event_name": "user_send_text",
                                                                           "timestamp": "1", "sender": {}}])
def test_what_is_no_event_is_unreadable(body: Any) -> None:
    with pytest.raises(ValueError):
        read_event(body)


async def test_a_photo_of_the_card_s_qr_code_is_read_from_its_zalo_url_at_once(
    oa: FakeZaloOA, http: aiohttp.ClientSession,
) -> None:
    payload = card_payload("001090012345", "", "Nguyễn Văn An", "05091990", "Nam", "Hà Nội", "01012021")
    url = oa.host_image(card_photo(payload))
    body = oa.event("user_send_image", "u1", {"attachments": [{"type": "image", "payload": {"url": url}}]})
    incoming = to_incoming(read_event(body), CHANNEL, image_fetcher(http))
    assert incoming is not None and isinstance(incoming.event, Picture)
    assert (await incoming.event.read()).texts == (payload,)
    oa.expire_images()
    assert (await incoming.event.read()).texts == (payload,)  # downloaded once, for the step and the help desk
    late = to_incoming(read_event(body), CHANNEL, image_fetcher(http))
    assert late is not None and isinstance(late.event, Picture)
    assert (await late.event.read()).problem is PictureProblem.NOT_FETCHED
