"""A citizen's message that should not stay in the chat (a code, a password, a card's photo), by what the channel can.

Telegram lets the bot delete a citizen's message, so there the flow asks for
it (`Effect.FORGET_MESSAGE`) and may say "I have deleted it". Zalo does not
(issue 19), so there the flow asks for nothing and says instead what stays
and why that is safe: a code works only once and expires; a password typed
here must not be used. Whether the channel deletes is the channel's to
declare (`Context.deletes_messages`): the flow never names a channel, and
never echoes what the message held.
"""

from __future__ import annotations

from dataclasses import replace

from conversations.replies import Effect
from conversations.step import Answer, Context
from conversations.text import Paragraph, _

CODE_KEPT = _("This chat does not let me remove your message; you can remove it yourself. A code works only once "
              "and expires within minutes.")
PHOTO_KEPT = _("This chat does not let me remove your photo; you can remove it yourself. I keep only the details "
               "you confirm.")

def forgetting(ctx: Context, kept: Paragraph | None) -> tuple[tuple[Paragraph, ...], tuple[Effect, ...]]:
    """What to add to the answer about the citizen's last message: where the channel deletes, the effect that asks
    it to; where it cannot, `kept`, the sentence saying so (None: the answer's own words say it already)."""
    if ctx.deletes_messages:
        return (), (Effect.FORGET_MESSAGE,)
    return ((kept,) if kept is not None else ()), ()


def forgotten(answer: Answer, ctx: Context, kept: Paragraph) -> Answer:
    """`answer`, with the citizen's last message deleted where the channel can, `kept` said after its words where
    it cannot."""
    said, effects = forgetting(ctx, kept)
    more: tuple[Paragraph, ...] = (*answer.say, *said)
    asked: tuple[Effect, ...] = (*answer.effects, *effects)
    return replace(answer, say=more, effects=asked)
