"""What the core needs of the parts around it, as narrow protocols (a leaf: it imports no part).

Channels and the help desk implement these; the composition root
(`bot/app/`) passes the implementations in, so the core never imports a
channel or the help desk, and nothing is patched onto an object after it
is built.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.answer import Answer, Handled, Rendered, SayResult
from bot.core.incoming import Incoming
from bot.storage import DialogKey


class Replies(Protocol):
    """A channel's way out: what the core says, turned into the platform's calls. It reports its own
    platform's failures (a citizen who blocked the bot, a refused call) and raises none of them."""

    # Whether it deletes a citizen's message the flow asks it to forget (an OTP, a password typed in the chat):
    # the flow says "deleted" only where it is, and otherwise what stays and why that is safe (issue 19).
    deletes_messages: bool

    async def answer(self, incoming: Incoming, answer: Answer) -> SayResult:
        """Answer `incoming`: acknowledge it as the platform expects, tidy up, send the replies; whether they got
        there, and if not why (a staff command's replies: staff are told)."""

    async def notice(self, incoming: Incoming, text: str | None) -> None:
        """Acknowledge `incoming` without answering it, saying `text` if there is one (a refusal, an outage)."""

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        """Send `reply` into the dialog's chat unprompted (a reminder, a staff member's words or picture), and say
        whether it got there: staff are told why not."""


class CitizenDesk(Protocol):
    """The help desk as the core sees a citizen's event: before the assistant and after it."""

    async def translate(self, incoming: Incoming) -> Incoming:
        """The event as the assistant should see it (a staff member's /assist, a prepared registration's link)."""

    async def after(self, incoming: Incoming, handled: Handled) -> None:
        """Do the help desk's part of what the assistant just did (open a case, relay a message...)."""

    async def redelivered(self, incoming: Incoming) -> None:
        """An event handled before came again: do what its first handling may not have finished."""


class StaffCheck(Protocol):
    async def is_staff(self, key: DialogKey) -> bool:
        """Whether the sender of this dialog is a help-desk staff member."""
