"""Bot API methods that send, change and delete messages, and answer button presses.

Each checks its parameters as Telegram does (text and caption limits, the
keyboard's shape, what can be edited or deleted, the topic a message goes
to, the group flood limit) and updates the chat the way a Telegram client
would show it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakebot.forum import thread_for_send, topic_root
from tests.fakebot.messages import ENVELOPE, SERVICE_FIELDS, ChatState, check_markup, check_text
from tests.fakebot.params import Params, Registry
from tests.fakebot.wire import bad_request

if TYPE_CHECKING:
    from tests.fakebot.server import FakeBotAPI

handles = Registry()
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset({"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                          "upload_document", "choose_sticker", "find_location", "record_video_note",
                          "upload_video_note"})
DELETE_WINDOW = 48 * 3600  # seconds a message can be deleted for everyone


# --- sending ------------------------------------------------------------------------------------------------

async def _send(api: FakeBotAPI, p: Params, content: dict[str, Any]) -> dict[str, Any]:
    """Put a new bot message with `content` into the chat, as sendMessage & co. do, and return it."""
    markup = check_markup(p.json("reply_markup"))
    chat = api.chat_for_send(p.chat_id())
    message: dict[str, Any] = {"message_id": 0, "from": dict(api.bot_user), "chat": dict(chat.info),
                               "date": api.now()}
    reply = _replied(chat, p)
    thread = thread_for_send(chat, p.integer("message_thread_id"), reply)
    if thread:
        message["message_thread_id"] = thread
        if chat.is_forum:
            message["is_topic_message"] = True
            reply = reply or topic_root(chat, thread)
    if reply is not None:
        message["reply_to_message"] = reply
    message |= content
    api.admit_message(chat)  # last: a refused message does not count towards the flood limit
    message["message_id"] = chat.allocate()
    return api.record_sent(chat, message, markup)


def _replied(chat: ChatState, p: Params) -> dict[str, Any] | None:
    parameters = p.json("reply_parameters")
    if isinstance(parameters, dict):
        target, lenient = parameters.get("message_id"), bool(parameters.get("allow_sending_without_reply"))
    else:
        target, lenient = p.integer("reply_to_message_id"), p.flag("allow_sending_without_reply")
    if not target:
        return None
    message = chat.messages.get(int(target))
    if message is None:
        if lenient:
            return None
        raise bad_request("message to be replied not found")
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _caption(p: Params) -> dict[str, Any]:
    caption = p.string("caption")
    return {"caption": check_text(caption, p.string("parse_mode"), caption=True)} if caption else {}


@handles("sendMessage")
async def send_message(api: FakeBotAPI, p: Params) -> Any:
    p.chat_id()
    text = check_text(p.string("text", required=True) or "", p.string("parse_mode"))
    return await _send(api, p, {"text": text})


@handles("sendPhoto")
async def send_photo(api: FakeBotAPI, p: Params) -> Any:
    p.chat_id()
    file = api.file_for_send(p.values.get("photo"), "photo")
    sizes = [{"file_id": file.file_id, "file_unique_id": file.file_unique_id, "width": 1280, "height": 960,
              "file_size": len(file.content)}]
    return await _send(api, p, {"photo": sizes} | _caption(p))


@handles("sendDocument")
async def send_document(api: FakeBotAPI, p: Params) -> Any:
    p.chat_id()
    file = api.file_for_send(p.values.get("document"), "document")
    document = {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "file_name": file.file_name,
                "mime_type": file.mime_type, "file_size": len(file.content)}
    present = {key: value for key, value in document.items() if value is not None}  # Telegram omits unknowns
    return await _send(api, p, {"document": present} | _caption(p))


@handles("sendChatAction")
async def send_chat_action(api: FakeBotAPI, p: Params) -> Any:
    chat_id = p.chat_id()
    if p.string("action", required=True) not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    api.chat_for_send(chat_id)
    return True


@handles("copyMessage")
async def copy_message(api: FakeBotAPI, p: Params) -> Any:
    content = _content_of(api, p, "copy")
    if p.given("caption") and "text" not in content:
        content |= _caption(p)
    message = await _send(api, p, content)
    return {"message_id": message["message_id"]}


@handles("forwardMessage")
async def forward_message(api: FakeBotAPI, p: Params) -> Any:
    source = _source(api, p, "forward")
    origin = {"type": "user", "sender_user": source.get("from", api.bot_user), "date": source["date"]}
    return await _send(api, p, _content(source, "forward") | {"forward_origin": origin})


def _source(api: FakeBotAPI, p: Params, verb: str) -> dict[str, Any]:
    p.chat_id()
    source_chat = api.chat_of(p.chat_id("from_chat_id"))
    source = source_chat.messages.get(p.message_id())
    if source is None:
        raise bad_request(f"message to {verb} not found")
    return source


def _content(source: dict[str, Any], verb: str) -> dict[str, Any]:
    content = {key: value for key, value in source.items() if key not in ENVELOPE}
    if not content or SERVICE_FIELDS & content.keys():
        raise bad_request(f"message can't be {'copied' if verb == 'copy' else 'forwarded'}")
    return content


def _content_of(api: FakeBotAPI, p: Params, verb: str) -> dict[str, Any]:
    return _content(_source(api, p, verb), verb)


# --- changing what was sent ---------------------------------------------------------------------------------

def _editable(api: FakeBotAPI, p: Params) -> dict[str, Any] | None:
    """The bot message an edit addresses; None for an inline message (the fake keeps no state for those)."""
    if p.given("inline_message_id") and not p.given("chat_id"):
        return None
    chat = api.chat_of(p.chat_id())
    message = chat.messages.get(p.message_id())
    if message is None:
        raise bad_request("message to edit not found")
    if message.get("from", {}).get("id") != api.bot_id or message["message_id"] in chat.uneditable:
        raise bad_request("message can't be edited")
    return message


def _inline_markup(p: Params) -> dict[str, Any] | None:
    markup = check_markup(p.json("reply_markup"))
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _edit(api: FakeBotAPI, message: dict[str, Any], changes: dict[str, Any],
          markup: dict[str, Any] | None) -> dict[str, Any]:
    """Apply `changes` (None values remove a field) and the new inline keyboard, or refuse a no-op."""
    unchanged = all(message.get(key) == value for key, value in changes.items())
    if unchanged and message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    if markup is None:
        message.pop("reply_markup", None)  # as in Telegram: an edit without reply_markup drops the keyboard
    else:
        message["reply_markup"] = markup
    message["edit_date"] = api.now()
    return api.record_edit(message)


@handles("editMessageText")
async def edit_message_text(api: FakeBotAPI, p: Params) -> Any:
    text = check_text(p.string("text", required=True) or "", p.string("parse_mode"))
    markup = _inline_markup(p)
    message = _editable(api, p)
    if message is None:
        return True
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    return _edit(api, message, {"text": text, "entities": None}, markup)


@handles("editMessageCaption")
async def edit_message_caption(api: FakeBotAPI, p: Params) -> Any:
    caption = _caption(p).get("caption")
    markup = _inline_markup(p)
    message = _editable(api, p)
    if message is None:
        return True
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    return _edit(api, message, {"caption": caption}, markup)


@handles("editMessageReplyMarkup")
async def edit_message_reply_markup(api: FakeBotAPI, p: Params) -> Any:
    markup = _inline_markup(p)
    message = _editable(api, p)
    if message is None:
        return True
    return _edit(api, message, {}, markup)


@handles("deleteMessage")
async def delete_message(api: FakeBotAPI, p: Params) -> Any:
    chat = api.chat_of(p.chat_id())
    message_id = p.message_id()
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    if api.now() - message["date"] > DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone")
    api.record_delete(chat, message_id)
    return True


@handles("deleteMessages")
async def delete_messages(api: FakeBotAPI, p: Params) -> Any:
    chat = api.chat_of(p.chat_id())
    ids = p.json("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message identifiers are not specified")
    if len(ids) > 100:
        raise bad_request("too many message identifiers specified")
    for message_id in ids:  # as Telegram: those not found (or too old) are skipped
        message = chat.messages.get(int(message_id))
        if message is not None and api.now() - message["date"] <= DELETE_WINDOW:
            api.record_delete(chat, int(message_id))
    return True


@handles("answerCallbackQuery")
async def answer_callback_query(api: FakeBotAPI, p: Params) -> Any:
    query_id = p.string("callback_query_id", required=True) or ""
    if api.callbacks.get(query_id) is not False:  # unknown, or answered already
        raise bad_request(QUERY_INVALID)
    text = p.string("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    api.callbacks[query_id] = True
    api.callback_answers[query_id] = {"text": text, "show_alert": p.flag("show_alert"), "url": p.string("url")}
    return True
