"""The fake OA's world: its followers, when each last interacted, its tokens, its uploads.

Rules kept here, each as ../shared/ZALO.md gives it: a consultation message
needs an interaction within the last 7 days (-230), a follower (-213), a user
neither banned nor inactive (-227); an access token is refused when unknown
(-216) or past its `expires_in` (-220); a refresh token works once, and a
spent one is refused. Time is the injected clock's, so a test moves a week
on without sleeping.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

APP_ID = "1234567890123456789"
OA_ID = "579745863508352884"
APP_SECRET = "fake-app-secret"
OA_SECRET_KEY = "fake-oa-secret-key"
FIRST_REFRESH_TOKEN = "refresh-0"

WINDOW = timedelta(days=7)  # consultation messages need an interaction this recent
ACCESS_LIFETIME = timedelta(seconds=90000)  # "expires_in": "90000"
REFRESH_LIFETIME = timedelta(days=90)
ATTACHMENT_LIFETIME = timedelta(days=7)


class ZaloError(Exception):
    """An answer with HTTP 200 and a negative `error`, as the OA API gives every failure."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Follower:
    user_id: str
    name: str = "Nguyễn Văn An"
    follows: bool = True
    banned: bool = False  # banned, or inactive for more than 45 days: -227
    last_interaction: datetime | None = None


@dataclass(slots=True)
class Tokens:
    access: dict[str, datetime] = field(default_factory=dict)  # access token → when it expires
    refresh: dict[str, datetime] = field(default_factory=dict)  # unspent refresh token → when it expires
    spent: set[str] = field(default_factory=set)
    refreshes: int = 0  # refresh calls that succeeded
    refused_refreshes: int = 0  # refresh calls with a spent, unknown or expired token


class World:
    def __init__(self, now: datetime) -> None:
        self.followers: dict[str, Follower] = {}
        self.tokens = Tokens(refresh={FIRST_REFRESH_TOKEN: now + REFRESH_LIFETIME})
        self.attachments: dict[str, tuple[bytes, datetime]] = {}  # uploaded images → when their id expires

    def follower(self, user_id: str) -> Follower:
        return self.followers.setdefault(user_id, Follower(user_id))

    def interacted(self, user_id: str, now: datetime) -> Follower:
        """A message, a follow or a press: the 7-day window opens again."""
        follower = self.follower(user_id)
        follower.last_interaction = now
        return follower

    def check_access(self, token: str | None, now: datetime) -> None:
        expires = self.tokens.access.get(token or "")
        if expires is None:
            raise ZaloError(-216, "Access token is invalid")
        if now >= expires:
            raise ZaloError(-220, "Access token has expired")

    def issue_access(self, now: datetime, lifetime: timedelta = ACCESS_LIFETIME) -> str:
        token = "access-" + secrets.token_hex(6)
        self.tokens.access[token] = now + lifetime
        return token

    def rotate(self, refresh_token: str, now: datetime) -> tuple[str, str]:
        """A new (access, refresh) pair for an unspent refresh token, which is spent by it."""
        expires = self.tokens.refresh.pop(refresh_token, None)
        if expires is None or now >= expires:
            self.tokens.refused_refreshes += 1
            reason = "was already used" if refresh_token in self.tokens.spent else "is invalid or expired"
            raise ZaloError(-14014, f"Invalid refresh_token: it {reason}")
        self.tokens.spent.add(refresh_token)
        self.tokens.refreshes += 1
        fresh = f"refresh-{self.tokens.refreshes}"
        self.tokens.refresh[fresh] = now + REFRESH_LIFETIME
        return self.issue_access(now), fresh

    def check_recipient(self, user_id: str, now: datetime) -> Follower:
        follower = self.followers.get(user_id)
        if follower is None:
            raise ZaloError(-201, "user_id is invalid")
        if follower.banned:
            raise ZaloError(-227, "User has been banned or has been inactive for more than 45 days")
        if not follower.follows:
            raise ZaloError(-213, "User has not followed OA")
        if follower.last_interaction is None or now - follower.last_interaction > WINDOW:
            raise ZaloError(-230, "User has not interacted with the OA in the last 7 days")
        return follower

    def attachment(self, attachment_id: str, now: datetime) -> bytes:
        kept = self.attachments.get(attachment_id)
        if kept is None or now >= kept[1]:
            raise ZaloError(-201, "attachment_id is invalid or expired")
        return kept[0]
