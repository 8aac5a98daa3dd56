"""Bot API methods for forum topics, and the rules for posting into a topic.

A forum supergroup (`is_forum: true`) is split into topics; each is known
by the id of the service message that opened it, its `message_thread_id`.
The bot creates, renames, closes, reopens and deletes topics; each change
but deletion leaves a service message in the topic, as in Telegram.
Deleting a topic deletes every message in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakebot.messages import DEFAULT_ICON_COLOR, ChatState, Topic
from tests.fakebot.params import Params, Registry
from tests.fakebot.wire import bad_request

if TYPE_CHECKING:
    from tests.fakebot.server import FakeBotAPI

handles = Registry()
THREAD_NOT_FOUND = "message thread not found"
MAX_NAME = 128


def thread_for_send(chat: ChatState, thread_id: int | None, reply: dict[str, Any] | None) -> int | None:
    """The topic a new message goes to: the one named, else that of the message it replies to (Telegram infers
    it), once checked it takes messages. Outside forums `message_thread_id` is passed through unchecked.

    Telegram lets admins with can_manage_topics (a help desk bot is one) post in a closed topic; the fake
    refuses them too, so a bot that writes into a topic staff closed without reopening it is caught.
    """
    if not chat.is_forum:
        return thread_id
    thread_id = thread_id or (reply or {}).get("message_thread_id")
    if thread_id:
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request(THREAD_NOT_FOUND)
        if topic.closed:
            raise bad_request("TOPIC_CLOSED")
    return thread_id


def topic_root(chat: ChatState, thread_id: int) -> dict[str, Any] | None:
    """What a message in a topic that replies to nothing carries as `reply_to_message`: the topic's opening
    service message (Telegram does this, and bots that take it for a real reply trip over it)."""
    root = chat.messages.get(thread_id)
    return {key: value for key, value in root.items() if key != "reply_to_message"} if root else None


def _forum(api: FakeBotAPI, p: Params) -> ChatState:
    chat = api.chat_of(p.chat_id())
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _topic(chat: ChatState, p: Params) -> tuple[int, Topic]:
    thread_id = p.integer("message_thread_id", required=True) or 0
    topic = chat.topics.get(thread_id)
    if topic is None or topic.deleted:
        raise bad_request(THREAD_NOT_FOUND)
    return thread_id, topic


def _name(p: Params, *, required: bool) -> str | None:
    name = p.string("name", required=required)
    if name is not None and len(name) > MAX_NAME:
        raise bad_request("TOPIC_TITLE_INVALID")
    return name


def _announce(api: FakeBotAPI, chat: ChatState, thread_id: int, event: dict[str, Any],
              message_id: int | None = None) -> None:
    """Leave the service message Telegram posts in the topic for a change the bot made."""
    message = {"message_id": message_id or chat.allocate(), "from": dict(api.bot_user), "chat": dict(chat.info),
               "date": api.now(), "message_thread_id": thread_id, "is_topic_message": True} | event
    api.record_sent(chat, message, None)


@handles("createForumTopic")
async def create_forum_topic(api: FakeBotAPI, p: Params) -> Any:
    chat = _forum(api, p)
    topic = Topic(_name(p, required=True) or "", p.integer("icon_color") or DEFAULT_ICON_COLOR,
                  p.string("icon_custom_emoji_id"))
    created: dict[str, Any] = {"name": topic.name, "icon_color": topic.icon_color}
    if topic.icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
    thread_id = chat.allocate()  # a topic is named after its first (service) message
    chat.topics[thread_id] = topic
    _announce(api, chat, thread_id, {"forum_topic_created": created}, message_id=thread_id)
    return {"message_thread_id": thread_id} | created


@handles("editForumTopic")
async def edit_forum_topic(api: FakeBotAPI, p: Params) -> Any:
    chat = _forum(api, p)
    thread_id, topic = _topic(chat, p)
    changes: dict[str, Any] = {}
    name = _name(p, required=False)
    if name is not None and name != topic.name:
        changes["name"] = name
        topic.name = name
    if p.values.get("icon_custom_emoji_id") is not None:  # an empty string removes the icon
        icon = p.string("icon_custom_emoji_id")
        if icon != topic.icon_custom_emoji_id:
            changes["icon_custom_emoji_id"] = icon or ""
            topic.icon_custom_emoji_id = icon
    if not changes:
        raise bad_request("TOPIC_NOT_MODIFIED")
    _announce(api, chat, thread_id, {"forum_topic_edited": changes})
    return True


@handles("closeForumTopic")
async def close_forum_topic(api: FakeBotAPI, p: Params) -> Any:
    return _set_closed(api, p, closed=True)


@handles("reopenForumTopic")
async def reopen_forum_topic(api: FakeBotAPI, p: Params) -> Any:
    return _set_closed(api, p, closed=False)


def _set_closed(api: FakeBotAPI, p: Params, *, closed: bool) -> bool:
    chat = _forum(api, p)
    thread_id, topic = _topic(chat, p)
    if topic.closed == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    _announce(api, chat, thread_id, {"forum_topic_closed" if closed else "forum_topic_reopened": {}})
    return True


@handles("deleteForumTopic")
async def delete_forum_topic(api: FakeBotAPI, p: Params) -> Any:
    chat = _forum(api, p)
    thread_id, _ = _topic(chat, p)
    api.delete_topic(chat.info["id"], thread_id)
    return True
