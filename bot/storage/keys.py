"""Redis key names for one dialog.

One dialog per (bot, chat, user). The braces are a Redis Cluster hash tag:
a dialog and its lock land in the same slot, so one Lua script can touch
both.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "regbot"
PASSWORD_LINKS = f"{PREFIX}:pwlink:"  # + nonce: the dialog a password-form link opens
ASSIST_LINKS = f"{PREFIX}:assist:"  # + nonce: the staff-prepared dialog a citizen's link opens


def idle_dialogs(bot: str) -> str:
    """A sorted set of `bot`'s dialogs by when they fall idle (epoch ms), for the reminder."""
    return f"{PREFIX}:idle:{bot}"


@dataclass(frozen=True, slots=True)
class DialogKey:
    bot: str
    chat: str
    user: str

    @property
    def _tag(self) -> str:
        return "{" + f"{self.bot}:{self.chat}:{self.user}" + "}"

    @property
    def dialog(self) -> str:
        return f"{PREFIX}:{self._tag}:dialog"

    @property
    def lock(self) -> str:
        return f"{PREFIX}:{self._tag}:lock"

    @property
    def password_link(self) -> str:
        """The nonce of the dialog's current password link (a newer link replaces it)."""
        return f"{PREFIX}:{self._tag}:pwlink"

    @property
    def assist_link(self) -> str:
        """The token of the newest link handing this (staff-prepared) dialog to a citizen's phone."""
        return f"{PREFIX}:{self._tag}:assistlink"

    @classmethod
    def of_member(cls, bot: str, member: str) -> DialogKey:
        chat, _, user = member.partition(":")
        return cls(bot, chat, user or chat)

    @property
    def member(self) -> str:
        """How the dialog is named in its bot's sets (see `idle_dialogs`): "user" in a private chat."""
        return self.user if self.chat == self.user else f"{self.chat}:{self.user}"

    @property
    def idle(self) -> str:
        return idle_dialogs(self.bot)

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(key holding the dialog's newest link nonce, prefix of that link's record), for each kind of link."""
        return (self.password_link, PASSWORD_LINKS), (self.assist_link, ASSIST_LINKS)

    @property
    def blocked(self) -> str:
        """When the citizen blocked the bot (a 403); gone once they write again, or with the dialog's TTL."""
        return f"{PREFIX}:{self._tag}:blocked"

    @property
    def handled(self) -> str:
        """The ids of events (Telegram updates) already handled for this dialog; expires with it."""
        return f"{PREFIX}:{self._tag}:handled"

    @property
    def unsent(self) -> str:
        """The answer to the latest event, sealed, until the next one: sent again if that event comes back."""
        return f"{PREFIX}:{self._tag}:unsent"
