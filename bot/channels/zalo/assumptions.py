"""Everything about the Zalo OA API that could not be confirmed, in one place (../shared/ZALO.md).

Zalo's own documentation could not be read when the channel was built; these
values come from its official SDKs and from integration notes that quote it,
which disagree or are silent on each point below. Each is used from here
only, so that when one turns out wrong it is changed in one line, and
docs/zalo.md names each of them.
"""

from __future__ import annotations

from typing import Literal

SIGNATURE_SECRET: Literal["oa_secret_key", "app_secret"] = "oa_secret_key"
"""Which secret ends the webhook signature's input (`app_id + body + timestamp + secret`): most sources say
the OA secret key (ZALO_OA_SECRET_KEY), one says the app secret (ZALO_APP_SECRET)."""

PRESS_ARRIVES_AS: str = "user_send_text"
"""A press on an `oa.query.hide` button is said to come back as this event, its text being the payload."""

BUTTON_TYPE: str = "oa.query.hide"
"""The button type whose payload comes back without being shown in the chat."""

PAYLOAD_MAX_CHARS: int = 1000
"""The longest payload a button may carry."""

WEBHOOK_MAX_AGE: float = 3600.0
"""Seconds after its own `timestamp` that an event is still taken. Zalo's retry schedule is not known, nor
whether a retry keeps the first attempt's timestamp: an hour lets a retry in while refusing an old capture
replayed; the ids of events taken are remembered longer than this (`SEEN_EVENT_TTL`), so a repeat inside
the hour is caught by its id and a later one by its age."""

FUTURE_SKEW: float = 300.0
"""Seconds an event's `timestamp` may lie ahead of this machine's clock and still be taken: how far Zalo's clock
and ours may differ is not known; five minutes takes a clock a little ahead while refusing one far in the future."""

SEEN_EVENT_TTL: float = WEBHOOK_MAX_AGE + 600.0
"""Seconds an event's id is remembered, to refuse it when it comes again."""

SEND_RATE: float = 10.0
"""Messages a second one OA sends in all, its workers sharing one schedule in Redis (pace.py). Zalo publishes no
per-OA rate; -32 answers say when it is too much."""

SEND_BURST: int = 5
"""Messages the OA may send at once before SEND_RATE applies."""

RATE_LIMIT_PAUSE: float = 1.0
"""Seconds the OA stops sending after a -32 (doubled at each further -32 in a row): Zalo gives no retry-after."""

ACCESS_TOKEN_LIFETIME: float = 90000.0
"""Seconds an access token is taken to last when the refresh answer has no readable `expires_in` (25 hours is
what the sources report)."""

IMAGE_MAX_BYTES: int = 1024 * 1024
"""The largest image the upload takes (JPG or PNG)."""

REQUEST_INFO_IMAGE: str = "https://dichvucong.gov.vn/p/home/dvc-images/logo.png"
"""The picture `request_user_info`'s one element must name (Zalo shows it above the form): any public image; the
portal's logo here, its address taken from the portal's page and not checked to last."""

OA_CHAT_LINK: str = "https://zalo.me/{oa_id}"
"""The link that opens a chat with the OA in Zalo (its id is ZALO_OA_ID), given to help-desk staff with a hand-over
code: the shape integration notes use for an OA's page; Zalo's documentation of it could not be read."""
