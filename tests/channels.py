"""A channel's way out for in-process tests: what the core told each citizen, as text."""

from __future__ import annotations

from bot.core.answer import Answer, Rendered, SayResult
from bot.core.incoming import Incoming
from bot.storage import DialogKey


class TextChannel:
    """Implements `bot.core.ports.Replies` for a channel with no messages to copy (as Zalo will be)."""

    deletes_messages = True

    def __init__(self) -> None:
        self.said: list[str] = []

    async def answer(self, incoming: Incoming, answer: Answer) -> SayResult:
        self.said += [reply.text for reply in answer.replies]
        return SayResult.DELIVERED

    async def notice(self, incoming: Incoming, text: str | None) -> None:
        if text is not None:
            self.said.append(text)

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        self.said.append(reply.text)
        return SayResult.DELIVERED
