"""Rendered replies as Zalo messages: buttons where Zalo has them, a numbered list past its 5."""

from __future__ import annotations

from bot.channels.zalo.api import Button
from bot.channels.zalo.render import Outgoing, render
from bot.core.answer import Rendered, RenderedButton

METHODS = ("mobile", "sim", "usb", "bhxh", "post", "vneid")


def test_a_question_with_few_choices_ends_with_them_as_buttons_carrying_their_ids() -> None:
    reply = Rendered(("Điều khoản…", "Bạn đồng ý?"), ((RenderedButton("consent:yes", "Tôi đồng ý"),),))
    assert render(reply).messages == (
        Outgoing("Điều khoản…\n\nBạn đồng ý?", (Button("Tôi đồng ý", "#btn:consent:yes"),)),)
    assert render(reply).numbered == ()


def test_six_choices_are_a_numbered_list_whose_numbers_stand_for_their_ids() -> None:
    reply = Rendered(("Chọn cách đăng ký:",), tuple((RenderedButton(f"method:{m}", m.upper()),) for m in METHODS))
    rendered = render(reply)
    listed = "1. MOBILE\n2. SIM\n3. USB\n4. BHXH\n5. POST\n6. VNEID"
    assert rendered.messages == (Outgoing(f"Chọn cách đăng ký:\n\n{listed}"),)
    assert rendered.numbered == tuple(f"method:{m}" for m in METHODS)


def test_a_long_question_keeps_its_buttons_on_its_last_message() -> None:
    reply = Rendered(("a" * 1500, "b" * 1500), ((RenderedButton("x", "X"),),))
    first, last = render(reply).messages
    assert first == Outgoing("a" * 1500) and last == Outgoing("b" * 1500, (Button("X", "#btn:x"),))


def test_a_reply_without_buttons_is_plain_text() -> None:
    assert render(Rendered(("Xin chào.",))).messages == (Outgoing("Xin chào."),)
