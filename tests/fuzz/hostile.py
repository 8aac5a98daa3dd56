"""What a hostile or unlucky citizen can send, as Hypothesis strategies.

Text: any Unicode (lone surrogates included), control characters, bidi
marks and overrides, zero-width characters, digits from other scripts and
things that only look like digits, decomposed Vietnamese and stacked
combining marks, and messages of 1,001 characters up to 100 KB — alone or
woven into answers that would otherwise be right. Besides text: every
kind of content Telegram can carry, contacts (one's own or someone
else's), commands with junk arguments, and button presses with callback
data that was never sent, belongs to another step, is too long or is
binary junk.
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from collections.abc import Iterator

from hypothesis import strategies as st

import conversations
from bot.channels.telegram.updates import CONTENT_KINDS
from bot.helpdesk.staff_side import RESUME_BUTTON
from conversations.commands import GLOBAL_BUTTONS
from conversations.dialog import StepName
from conversations.events import Event, PasswordChosen, Pressed, SharedContact, Unsupported, read_text
from conversations.replies import Button
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROL = "".join(map(chr, [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])) + "\u2028\u2029\u0085"
INVISIBLE = ZERO_WIDTH + BIDI + CONTROL
# The zero of scripts whose ten digits follow it (Unicode category Nd): each maps 0-9 one to one.
DIGIT_ZEROS = [0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0x17E0, 0x1810, 0xFF10, 0x1D7CE, 0x1D7D8]
# Look-alikes that are not decimal digits: super/subscripts, circled, letters that pass for digits.
NOT_DIGITS = ["⁰¹²³⁴⁵⁶⁷⁸⁹", "₀₁₂₃₄₅₆₇₈₉", "⓪①②③④⑤⑥⑦⑧⑨", "OlZЗ4SбTB9", "oIzЗчsбтвg"]
ANSWERS = [ID_NUMBER, "079190000001", "025190000123", "123456789", NAME, "H'Hen Niê", "Lê Thị Hồng-Nhung",
           BIRTH, "5/9/1990", "05-09-1990", PHONE, PHONE_E164, "84 82 123 4088", EMAIL, "123456", PASSWORD]
VIETNAMESE = ["Nguyễn Văn An", "Trần Thị Ánh Tuyết", "Đặng Quốc Bảo", "Phạm Thị Hương Giang", "Lý Thường Kiệt"]
HUGE_LENGTHS = [1_001, 4_096, 10_000, 100_000]


def _all_buttons() -> Iterator[str]:
    """Every button id the flow can offer, at any step: the callback data a real client could send."""
    for module_info in pkgutil.walk_packages(conversations.__path__, "conversations."):
        module = importlib.import_module(module_info.name)
        yield from _buttons_in(vars(module).values())


def _buttons_in(values: object) -> Iterator[str]:
    for value in values:  # type: ignore[attr-defined]
        if isinstance(value, Button):
            yield value.id
        elif isinstance(value, tuple | list):
            yield from _buttons_in(value)
        elif isinstance(value, dict):
            yield from _buttons_in(value.values())


KNOWN_BUTTONS = sorted({*_all_buttons(), *GLOBAL_BUTTONS,
                        *(f"{RESUME_BUTTON}{step}" for step in StepName)})


def _in_script(zero: int, text: str) -> str:
    return "".join(chr(zero + int(ch)) if ch.isascii() and ch.isdigit() else ch for ch in text)


def _look_alike(table: str, text: str) -> str:
    return "".join(table[int(ch)] if ch.isascii() and ch.isdigit() else ch for ch in text)


@st.composite
def _woven(draw: st.DrawFn, text: str, alphabet: str) -> str:
    """`text` with characters of `alphabet` slipped in at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(alphabet)))
    return "".join(chars)


def _disguised(answer: str) -> st.SearchStrategy[str]:
    """A right answer, disguised the ways keyboards, copy-paste and mischief disguise text."""
    return st.one_of(
        st.sampled_from(DIGIT_ZEROS).map(lambda zero: _in_script(zero, answer)),
        st.sampled_from(NOT_DIGITS).map(lambda table: _look_alike(table, answer)),
        _woven(answer, ZERO_WIDTH), _woven(answer, BIDI), _woven(answer, CONTROL),
        st.just(f"\u202e{answer}\u202c"), st.just(f"\u200f{answer}"),
        st.sampled_from(["NFD", "NFKD", "NFKC"]).map(lambda form: unicodedata.normalize(form, answer)),
        st.integers(2, 40).map(lambda times: " ".join([answer] * times)),
    )


def _stacked_marks() -> st.SearchStrategy[str]:
    """Vietnamese letters under piles of combining marks (U+0300–U+036F, and the tone marks' twins)."""
    marks = st.text(st.characters(min_codepoint=0x300, max_codepoint=0x36F) | st.sampled_from("\u0340\u0341"),
                    min_size=1, max_size=12)
    return st.lists(st.tuples(st.sampled_from("aăâeêioôơuưyđAĂÂEÊIOÔƠUƯYĐnN "), marks).map("".join),
                    min_size=1, max_size=10).map("".join)


def _huge() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(HUGE_LENGTHS), st.sampled_from(["9", "a", "🙂", "\u200b", "Nguyễn ", "\u0301"])
                     ).map(lambda pair: (pair[1] * pair[0])[:pair[0]])


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=80),  # any Unicode but surrogates
        st.text(st.characters(codec=None, categories=None), max_size=40),  # lone surrogates too
        st.text(alphabet=INVISIBLE, max_size=20),
        st.text(st.characters(categories=["Nd", "No", "Zs", "Pd", "Po", "Cf"]), max_size=24),
        st.sampled_from(ANSWERS).flatmap(_disguised),
        st.sampled_from(VIETNAMESE).map(lambda name: unicodedata.normalize("NFD", name)),
        _stacked_marks(),
        _huge(),
        st.sampled_from(["", " ", "\n", "/", "//", "/ ", "@", "/start@", "/@regbot", "/back@bot x", "/язык ru",
                         "/\u202estart", "/start\u0000", "/cancel\n\nsomething", "\u202e/help"]),
    )


COMMAND_NAMES = ["start", "back", "cancel", "help", "language", "lang", "human", "status", "assist", "note", "take",
                 "resume", "close", "reveal", "quit", "delete", "START", "Help", "ѕtart", "start\u200b"]


def command_text() -> st.SearchStrategy[str]:
    """A command, often a real one, with junk arguments and a junk @botname."""
    name = st.one_of(st.sampled_from(COMMAND_NAMES), st.text(min_size=1, max_size=70))
    args = st.one_of(st.just(""), st.sampled_from(["vi", "en", "EN ", "fr", "vi en", "otp", "review"]),
                     hostile_text())
    mention = st.sampled_from(["", "@regbot_test_bot", "@other_bot", "@", "@\u202ebot"])
    separator = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0", "\u3000"])
    return st.tuples(name, mention, separator, args).map(lambda parts: f"/{parts[0]}{parts[1]}{parts[2]}{parts[3]}")


def callback_data() -> st.SearchStrategy[str]:
    """Button data: real ids (offered now, at another step, or never), mangled ones, too long, binary junk."""
    known = st.sampled_from(KNOWN_BUTTONS)
    return st.one_of(
        known,
        st.tuples(known, st.text(max_size=8)).map("".join),
        st.tuples(st.text(max_size=8), known).map("".join),
        known.map(str.upper),
        st.sampled_from(StepName).map(lambda step: f"{step}:"),
        st.tuples(st.sampled_from(StepName), st.text(max_size=20)).map(lambda pair: f"{pair[0]}:{pair[1]}"),
        st.text(max_size=64),
        st.text(min_size=65, max_size=300),
        st.binary(max_size=64).map(lambda raw: raw.decode("latin-1")),
        st.binary(max_size=64).map(lambda raw: raw.decode("utf-8", "replace")),
        st.sampled_from(["", ":", "lang:", "lang:fr", "lang:vi:x", "help:", "desk:resume:", "\x00" * 64]),
    )


def contact() -> st.SearchStrategy[SharedContact]:
    phone = st.one_of(st.sampled_from([PHONE, PHONE_E164, "84821234088", "+1 202 555 0123"]).flatmap(_disguised),
                      hostile_text())
    return st.builds(SharedContact, phone, st.booleans())


def events() -> st.SearchStrategy[Event]:
    """Anything a citizen can do, as the adapters hand it to the front (`read_update` makes the same events)."""
    return st.one_of(
        hostile_text().map(read_text),
        command_text().map(read_text),
        callback_data().map(Pressed),
        contact(),
        st.sampled_from([*CONTENT_KINDS, "other"]).map(Unsupported),
        st.builds(PasswordChosen, st.one_of(st.just(PASSWORD), hostile_text()),
                  st.one_of(st.just(PASSWORD), hostile_text())),
    )
