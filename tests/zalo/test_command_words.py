"""The commands a Zalo citizen types as words: the whole message names the command, with or without tone marks."""

from __future__ import annotations

import pytest

from bot.channels.zalo.command_words import command_word
from conversations.events import Command, Said


@pytest.mark.parametrize(("typed", "command"), [
    ("quay lại", Command("back")),
    ("Quay lai", Command("back")),
    ("hủy", Command("cancel")),
    ("HUỶ", Command("cancel")),
    ("trợ giúp!", Command("help")),
    ("gặp nhân viên", Command("human")),
    ("xóa dữ liệu", Command("delete")),
    ("xoá dữ liệu", Command("delete")),
    ("trạng thái", Command("status")),
    ("English", Command("language", "en")),
    ("tiếng Việt", Command("language", "vi")),
])
def test_a_command_word_is_its_command(typed: str, command: Command) -> None:
    assert command_word(Said(typed)) == command


@pytest.mark.parametrize("typed", [
    "Huy", "huy", "Nguyễn Văn Huy", "tôi muốn hủy", "quay lại sau", "0821234088", "1", ""])
def test_a_name_or_a_word_inside_an_answer_is_the_answer(typed: str) -> None:
    assert command_word(Said(typed)) is None
