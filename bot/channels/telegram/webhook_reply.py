"""One Bot API call carried in the webhook's HTTP response instead of made as a request of its own.

Telegram runs one method given as the JSON body of a webhook's 200
(core.telegram.org/bots/api#making-requests-when-getting-updates), which
saves a request, but its result and any failure stay unknown. So only a call
nothing depends on may ride: answering a button press (the citizen's client
stops its spinner; a lost answer only lets it spin out), or else deleting the
citizen's message that held an OTP or a password (a failure was only logged;
a fresh message in a private chat is always the bot's to delete). Telegram
makes it once the response arrives, after everything sent while the update
was handled. Nothing rides on a failed update (500): Telegram delivers the
update again (a press whose answer is lost so only spins out). Polling has
no response to carry a call: every call is made.
"""

from __future__ import annotations

from typing import Any

from bot.channels.telegram.actions import Action, AnswerCallback, DeleteMessage

Carried = AnswerCallback | DeleteMessage  # the calls that may ride


class WebhookReply:
    """The response of one webhook request: empty, or the one call it carries."""

    def __init__(self) -> None:
        self._carried: Carried | None = None

    def carry(self, action: Action) -> bool:
        """Take `action` into the response if it may ride and nothing rides yet; False: make the call."""
        if self._carried is not None or not isinstance(action, Carried):
            return False
        self._carried = action
        return True

    @property
    def carried(self) -> Action | None:
        return self._carried

    @property
    def body(self) -> dict[str, Any] | None:
        """The response's JSON: the method and its parameters; None when nothing rides."""
        match self._carried:
            case AnswerCallback(callback_id):
                return {"method": "answerCallbackQuery", "callback_query_id": callback_id}
            case DeleteMessage(chat_id, message_id):
                return {"method": "deleteMessage", "chat_id": chat_id, "message_id": message_id}
        return None
