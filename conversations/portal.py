"""The port through which the flow talks to the National Public Service Portal.

The portal has no public API, so this is the contract the bot needs (see
`docs/portal-openapi.json`). `bot.portal.client` implements it over HTTP;
the sandbox portal (`regbot portal`) serves the same contract. Answers a
citizen can cause are values (`PortalRefusal`); only a transport failure
(timeout, 5xx, connection refused) raises `PortalUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class PortalUnavailable(Exception):
    """The portal could not be reached or failed; the citizen may try again."""


class RefusalCode(StrEnum):
    ACCOUNT_EXISTS = "account_exists"
    PHONE_NOT_OWNED = "phone_not_owned"
    INVALID_DATA = "invalid_data"
    RESEND_COOLDOWN = "resend_cooldown"
    SEND_LIMIT = "send_limit"
    OTP_INVALID = "otp_invalid"
    OTP_EXPIRED = "otp_expired"
    OTP_LOCKED = "otp_locked"
    NOT_VERIFIED = "not_verified"
    WEAK_PASSWORD = "weak_password"
    UNKNOWN_REGISTRATION = "unknown_registration"


@dataclass(frozen=True, slots=True)
class Registration:
    """What the portal's "Thuê bao di động" form asks for."""

    id_number: str
    full_name: str
    birth_date: date
    phone: str  # E.164, e.g. +84821234088
    email: str | None


@dataclass(frozen=True, slots=True)
class OtpSent:
    registration_id: str
    masked_phone: str  # as the portal shows it: 082****088
    expires_in: int  # seconds the code stays valid
    resend_in: int  # seconds until "Gửi lại OTP" is allowed
    attempts_left: int


@dataclass(frozen=True, slots=True)
class PortalRefusal:
    code: RefusalCode
    retry_after: int | None = None  # seconds, for cooldowns and limits
    attempts_left: int | None = None  # after a wrong OTP


@dataclass(frozen=True, slots=True)
class OtpVerified:
    registration_id: str


@dataclass(frozen=True, slots=True)
class AccountCreated:
    username: str  # the CMT/CCCD number is the login name


class Portal(Protocol):
    async def account_exists(self, id_number: str) -> bool: ...

    async def submit(self, registration: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        """Create a pending registration and send the OTP; retries with the same key are no-ops."""
        ...

    async def resend_otp(self, registration_id: str) -> OtpSent | PortalRefusal: ...

    async def verify_otp(self, registration_id: str, code: str) -> OtpVerified | PortalRefusal: ...

    async def set_password(self, registration_id: str, password: str) -> AccountCreated | PortalRefusal: ...
