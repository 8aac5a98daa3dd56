"""Bot API methods about the bot itself, its updates, chats and files.

Each handler checks its parameters as Telegram does, changes the fake's
state and returns the `result` Telegram would. Sending and changing
messages is in `messaging`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from tests.fakebot.params import Params, Registry
from tests.fakebot.wire import bad_request

if TYPE_CHECKING:
    from tests.fakebot.server import FakeBotAPI

handles = Registry()
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_DOWNLOAD = 20 * 1024 * 1024  # the largest file a bot may download (getFile refuses bigger ones)
_COMMAND_FIELDS = ("command", "description")


# --- the bot itself -----------------------------------------------------------------------------------------

@handles("getMe")
async def get_me(api: FakeBotAPI, p: Params) -> Any:
    return dict(api.bot_user)


@handles("logOut")
async def log_out(api: FakeBotAPI, p: Params) -> Any:
    return True


@handles("close")
async def close(api: FakeBotAPI, p: Params) -> Any:
    return True


@handles("setMyCommands")
async def set_my_commands(api: FakeBotAPI, p: Params) -> Any:
    commands = p.json("commands", required=True)
    if not isinstance(commands, list):
        raise bad_request("expected an Array of BotCommand")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not all(isinstance(command.get(k), str) for k in _COMMAND_FIELDS):
            raise bad_request('can\'t parse BotCommand: Field "command" must be of type String')
        if not COMMAND.fullmatch(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"].strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_commands_key(p)] = [{"command": c["command"], "description": c["description"]} for c in commands]
    return True


@handles("getMyCommands")
async def get_my_commands(api: FakeBotAPI, p: Params) -> Any:
    return api.commands.get(_commands_key(p), [])


@handles("deleteMyCommands")
async def delete_my_commands(api: FakeBotAPI, p: Params) -> Any:
    api.commands.pop(_commands_key(p), None)
    return True


def _commands_key(p: Params) -> tuple[str, str | None]:
    scope = p.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), p.string("language_code")


@handles("setMyDescription")
async def set_my_description(api: FakeBotAPI, p: Params) -> Any:
    return _set_text(api.descriptions, p, "description", 512)


@handles("getMyDescription")
async def get_my_description(api: FakeBotAPI, p: Params) -> Any:
    return {"description": api.descriptions.get(p.string("language_code"), "")}


@handles("setMyShortDescription")
async def set_my_short_description(api: FakeBotAPI, p: Params) -> Any:
    return _set_text(api.short_descriptions, p, "short_description", 120)


@handles("getMyShortDescription")
async def get_my_short_description(api: FakeBotAPI, p: Params) -> Any:
    return {"short_description": api.short_descriptions.get(p.string("language_code"), "")}


def _set_text(store: dict[str | None, str], p: Params, name: str, limit: int) -> bool:
    text = p.string(name) or ""
    if len(text) > limit:
        raise bad_request(f"{name} is too long")
    language = p.string("language_code")
    if text:
        store[language] = text
    else:
        store.pop(language, None)  # an empty text removes the one for that language
    return True


@handles("setChatMenuButton")
async def set_chat_menu_button(api: FakeBotAPI, p: Params) -> Any:
    button = p.json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")
    api.menu_buttons[p.integer("chat_id")] = button
    return True


@handles("getChatMenuButton")
async def get_chat_menu_button(api: FakeBotAPI, p: Params) -> Any:
    chat_id = p.integer("chat_id")
    return api.menu_buttons.get(chat_id, api.menu_buttons.get(None, {"type": "default"}))


# --- updates ------------------------------------------------------------------------------------------------

@handles("getUpdates")
async def get_updates(api: FakeBotAPI, p: Params) -> Any:
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = min(max(p.integer("timeout") or 0, 0), 50)
    return await api.updates.long_poll(p.integer("offset"), limit, timeout)


@handles("setWebhook")
async def set_webhook(api: FakeBotAPI, p: Params) -> Any:
    url = p.string("url") or ""
    if not url:  # as Telegram: an empty URL removes the webhook
        return api.updates.delete_webhook(drop_pending=p.flag("drop_pending_updates"))
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise bad_request("invalid webhook URL specified")
    secret = p.string("secret_token") or ""
    if len(secret) > 256:
        raise bad_request("secret token is too long")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.json("allowed_updates")
    return api.updates.set_webhook(url, secret or None, max_connections=p.integer("max_connections") or 40,
                                   allowed_updates=allowed if isinstance(allowed, list) else None,
                                   drop_pending=p.flag("drop_pending_updates"))


@handles("deleteWebhook")
async def delete_webhook(api: FakeBotAPI, p: Params) -> Any:
    return api.updates.delete_webhook(drop_pending=p.flag("drop_pending_updates"))


@handles("getWebhookInfo")
async def get_webhook_info(api: FakeBotAPI, p: Params) -> Any:
    return api.updates.webhook_info()



# --- chats and files ----------------------------------------------------------------------------------------

@handles("getChatMember")
async def get_chat_member(api: FakeBotAPI, p: Params) -> Any:
    chat = api.chat_of(p.chat_id())
    user_id = p.integer("user_id", required=True) or 0
    return api.member(chat.info["id"], user_id)


@handles("getFile")
async def get_file(api: FakeBotAPI, p: Params) -> Any:
    """The file's path for the download route (`/file/bot<token>/<file_path>`), for files up to 20 MB."""
    file = api.files.get(p.string("file_id", required=True) or "")
    if file is None:
        raise bad_request("invalid file_id")
    if len(file.content) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "file_size": len(file.content),
            "file_path": file.file_path}
