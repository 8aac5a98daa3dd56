"""A button's payload: the step's stable button id, told apart from what a citizen types.

A press on an `oa.query.hide` button comes back as text (assumptions.py's
PRESS_ARRIVES_AS), so the payload carries a prefix no answer of the flow
starts with. A citizen who types one is treated as pressing that button,
which the flow checks like any press (an old or forged one gets "this
question has moved on"), as Telegram's callback data can be forged too.
"""

from __future__ import annotations

from bot.channels.zalo.assumptions import PAYLOAD_MAX_CHARS

PRESS_PREFIX = "#btn:"


def press_payload(button_id: str) -> str:
    payload = PRESS_PREFIX + button_id
    if len(payload) > PAYLOAD_MAX_CHARS:
        raise ValueError(f"a button id makes a payload over {PAYLOAD_MAX_CHARS} characters: {button_id[:40]}…")
    return payload


def pressed_button(text: str) -> str | None:
    """The button id a text event carries when it is a press; None when it is typed text."""
    return text[len(PRESS_PREFIX):] if text.startswith(PRESS_PREFIX) and len(text) > len(PRESS_PREFIX) else None
