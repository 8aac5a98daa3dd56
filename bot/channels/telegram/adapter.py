"""What `regbot run` needs from a framework adapter (`frameworks.py` chooses one by BOT_FRAMEWORK)."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from bot.channels.telegram.actions import BotCalls

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class BotIdentity(NamedTuple):
    id: int
    username: str  # for t.me deep links


class TelegramAdapter(BotCalls, Protocol):
    async def me(self) -> BotIdentity: ...

    def parse_update(self, data: dict[str, Any]) -> Any:
        """A webhook's JSON as the framework's Update."""

    async def drop_webhook(self) -> None:
        """Before polling: Telegram serves getUpdates only to a bot without a webhook."""

    async def download(self, file_id: str) -> bytes:
        """A file a user sent (getFile, then the file itself from the same server), held in memory only.

        Fails like any call: `Rejected` (an unknown file_id, one over the Bot API's 20 MB), `Transient`,
        `RetryAfter`, `Blocked`.
        """

    async def fetch_updates(self, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """One getUpdates: the pending updates as the Bot API's JSON, confirming those below `offset`
        (`TelegramFront.poll` makes these calls, keeping each update in Redis until it is handled)."""

    async def set_webhook(self, url: str, secret: str, max_connections: int) -> None: ...

    async def close(self) -> None: ...
