"""Long answers cut into Zalo's 2,000-character messages, between paragraphs where they can be."""

from __future__ import annotations

import pytest

from bot.channels.zalo.text import split_message


def test_a_short_answer_is_one_message_with_its_paragraphs() -> None:
    assert split_message(["Xin chào.", "Bạn đồng ý?"]) == ["Xin chào.\n\nBạn đồng ý?"]


def test_paragraphs_are_kept_whole_when_the_answer_is_cut() -> None:
    first, second = "a" * 1200, "b" * 1200
    assert split_message([first, second]) == [first, second]


def test_a_paragraph_longer_than_a_message_is_cut_at_a_space() -> None:
    words = " ".join(["từ"] * 1000)  # 2,999 characters
    messages = split_message([words])
    assert all(len(message) <= 2000 for message in messages) and len(messages) == 2
    assert " ".join(messages) == words


@pytest.mark.parametrize("limit", [5, 17, 2000])
def test_nothing_is_lost_and_no_message_is_too_long(limit: int) -> None:
    paragraphs = ["Một hai ba bốn năm", "x" * 40, "", "sáu\nbảy tám"]
    messages = split_message(paragraphs, limit)
    assert all(0 < len(message) <= limit for message in messages)
    assert "".join("".join(messages).split()) == "".join("".join(paragraphs).split())
