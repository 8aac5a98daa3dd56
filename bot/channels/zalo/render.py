"""A rendered reply as Zalo messages: plain text of at most 2,000 characters, buttons only where Zalo has them.

A question with 1 to 5 choices ends with a message carrying them as
`oa.query.hide` buttons, each with its stable id as the payload (payloads.py).
Zalo shows at most 5, so a question with more (the method step has 6) is
sent as a numbered list instead, which the citizen answers by typing the
number or the label: reading that typed number back is the way in's part,
and needs the list it answers (the `numbered` ids, in order). Zalo's own
phone request and the password link are the way out's, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.zalo.api import MAX_BUTTONS, Button
from bot.channels.zalo.payloads import press_payload
from bot.channels.zalo.text import split_message
from bot.core.answer import Rendered


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class ZaloReply:
    messages: tuple[Outgoing, ...]
    numbered: tuple[str, ...] = ()  # the button ids a typed 1, 2, … stands for, when sent as a numbered list


def render(reply: Rendered) -> ZaloReply:
    choices = [button for row in reply.buttons for button in row]
    if len(choices) > MAX_BUTTONS:
        listed = "\n".join(f"{number}. {button.label}" for number, button in enumerate(choices, 1))
        texts = split_message([*reply.paragraphs, listed])
        return ZaloReply(tuple(Outgoing(text) for text in texts), tuple(button.id for button in choices))
    texts = split_message(reply.paragraphs)
    if not choices:
        return ZaloReply(tuple(Outgoing(text) for text in texts))
    buttons = tuple(Button(button.label, press_payload(button.id)) for button in choices)
    *before, last = texts or ["…"]
    return ZaloReply((*(Outgoing(text) for text in before), Outgoing(last, buttons)))
