"""The commands a Zalo citizen types as words: Zalo has no command menu, so "quay lại" is /back.

A whole message that is one of these words (folded: tone marks, case and
punctuation do not matter) is the command; a word inside a longer message is
an answer. /commands typed as such are read as on every channel. "Hủy"
(cancel, which deletes the answers) needs its tone mark: without it, it is
Huy, a common given name.
"""

from __future__ import annotations

import unicodedata

from conversations.events import Command, Said
from conversations.fields.normalize import fold

WORDS: dict[str, Command] = {
    fold(word): command for words, command in (
        (("quay lại", "trở lại", "go back"), Command("back")),
        (("trợ giúp", "giúp đỡ", "hướng dẫn"), Command("help")),
        (("gặp nhân viên", "gặp người thật", "talk to a person"), Command("human")),
        (("xóa dữ liệu", "xoá dữ liệu", "delete my data"), Command("delete")),
        (("trạng thái", "tình trạng"), Command("status")),
        (("bắt đầu", "đăng ký mới"), Command("start")),
        (("tiếng việt",), Command("language", "vi")),
        (("english",), Command("language", "en")),
    ) for word in words
}


WITH_TONE_MARKS: dict[str, Command] = {  # NFC, case folded; "huỷ" is the older placement of the same mark
    word: Command("cancel") for word in ("hủy", "huỷ", "hủy bỏ", "huỷ bỏ", "hủy đăng ký", "huỷ đăng ký")}


def command_word(said: Said) -> Command | None:
    """The command a typed message names as a whole; None for any other text."""
    if len(said.text) > 40:
        return None
    exact = " ".join(unicodedata.normalize("NFC", said.text).casefold().strip(" .!?").split())
    return WITH_TONE_MARKS.get(exact) or WORDS.get(fold(said.text))
