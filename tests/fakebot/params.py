"""How a method handler reads its parameters, and how handlers are registered.

`Params` gives typed values whichever way the client encoded them, and fails
with Telegram's own wording for what is missing or malformed ("chat_id is
empty", "message text is empty", …). Handlers register under their canonical
name; lookups are lower-case because the Bot API treats method names
case-insensitively.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from tests.fakebot.wire import ApiError, bad_request

if TYPE_CHECKING:
    from tests.fakebot.server import FakeBotAPI

Handler = Callable[["FakeBotAPI", "Params"], Awaitable[Any]]
_MISSING = {"chat_id": "chat_id is empty", "text": "message text is empty",
            "message_id": "message identifier is not specified"}


class Registry(dict[str, tuple[str, Handler]]):
    """Handlers by lower-case method name, with the canonical spelling (recorded in `Call.method`)."""

    def __call__(self, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self[name.lower()] = (name, handler)
            return handler
        return register


def missing(name: str) -> ApiError:
    return bad_request(_MISSING.get(name, f"{name} is empty"))


class Params:
    """One call's parameters, read with the types and the refusals of the Bot API."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def given(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def string(self, name: str, *, required: bool = False) -> str | None:
        if not self.given(name):
            if required:
                raise missing(name)
            return None
        value = self.values[name]
        return value if isinstance(value, str) else json.dumps(value) if isinstance(value, dict | list) else str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        if not self.given(name):
            if required:
                raise missing(name)
            return None
        value = self.values[name]
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or value == 1 or (isinstance(value, str) and value.lower() in ("true", "1"))

    def json(self, name: str, *, required: bool = False) -> Any:
        if not self.given(name):
            if required:
                raise missing(name)
            return None
        value = self.values[name]
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                what = "reply keyboard markup" if name == "reply_markup" else name
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        if not self.given(name):
            raise missing(name)
        value = self.values[name]
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.startswith("@"):
            return value
        raise bad_request("chat not found")

    def message_id(self, name: str = "message_id") -> int:
        value = self.integer(name) if self.given(name) else None
        if value is None or value <= 0:
            raise missing("message_id")
        return value

