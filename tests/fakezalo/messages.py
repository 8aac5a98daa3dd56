"""What the fake's `cs` endpoint takes as a consultation message, and what it refuses (-201, -233).

Text of at most 2,000 characters; beside it at most 5 buttons of the known
types, a query button's payload a string of at most 1,000 characters; a
`request_user_info` template with exactly one element; a `media` template
naming an uploaded image that has not expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakezalo.world import ZaloError

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_PAYLOAD = 1000
BUTTON_TYPES = {"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone", "oa.open.sms"}


@dataclass(frozen=True, slots=True)
class Button:
    type: str
    title: str
    payload: Any


@dataclass(slots=True)
class Sent:
    """One consultation message the OA sent, as the citizen's Zalo shows it."""

    user_id: str
    kind: str  # "text", "buttons", "request_user_info", "image"
    text: str = ""
    buttons: tuple[Button, ...] = ()
    element: dict[str, Any] = field(default_factory=dict)  # request_user_info's title, subtitle, image_url
    attachment_id: str | None = None
    message_id: str = ""


def read_message(user_id: str, message: Any) -> Sent:
    if not isinstance(message, dict):
        raise ZaloError(-201, "message is invalid")
    text = message.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ZaloError(-201, f"text must be a string of at most {MAX_TEXT} characters")
    attachment = message.get("attachment")
    if attachment is None:
        if not text:
            raise ZaloError(-201, "text is empty")
        return Sent(user_id, "text", text)
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        raise ZaloError(-233, "Message type is not supported")
    payload = attachment.get("payload")
    if not isinstance(payload, dict):
        raise ZaloError(-201, "attachment.payload is invalid")
    template = payload.get("template_type")
    if template is None and "buttons" in payload:
        return Sent(user_id, "buttons", text, _buttons(payload["buttons"]))
    if template == "request_user_info":
        elements = payload.get("elements")
        if not isinstance(elements, list) or len(elements) != 1 or not isinstance(elements[0], dict) \
                or not elements[0].get("title"):
            raise ZaloError(-201, "request_user_info takes exactly one element with a title")
        return Sent(user_id, "request_user_info", element=dict(elements[0]))
    if template == "media":
        elements = payload.get("elements")
        if not isinstance(elements, list) or len(elements) != 1 or elements[0].get("media_type") != "image" \
                or not elements[0].get("attachment_id"):
            raise ZaloError(-201, "a media template takes one image element with an attachment_id")
        return Sent(user_id, "image", text, attachment_id=str(elements[0]["attachment_id"]))
    raise ZaloError(-233, "Message type is not supported")


def _buttons(raw: Any) -> tuple[Button, ...]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_BUTTONS:
        raise ZaloError(-201, f"buttons: 1 to {MAX_BUTTONS}")
    buttons = []
    for button in raw:
        kind = button.get("type") if isinstance(button, dict) else None
        if kind not in BUTTON_TYPES or not button.get("title"):
            raise ZaloError(-201, "button type or title is invalid")
        payload = button.get("payload")
        if kind in ("oa.query.hide", "oa.query.show") and (
                not isinstance(payload, str) or not payload or len(payload) > MAX_PAYLOAD):
            raise ZaloError(-201, f"a query button's payload is a string of 1 to {MAX_PAYLOAD} characters")
        buttons.append(Button(kind, button["title"], payload))
    return tuple(buttons)
