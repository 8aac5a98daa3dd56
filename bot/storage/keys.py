"""Redis key names for one dialog.

One dialog per (bot, chat, user). The braces are a Redis Cluster hash tag:
a dialog and its lock land in the same slot, so one Lua script can touch
both.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "regbot"


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

    def handled(self, event_id: str) -> str:
        """Marks an event (a Telegram update) as handled for this dialog."""
        return f"{PREFIX}:{self._tag}:handled:{event_id}"
