"""The sandbox portal's rules, without HTTP: accounts, subscribers, pending registrations, OTPs.

The real portal has no test environment, so testers and the console need a
stand-in that behaves like it: an existing account or a phone registered to
someone else is refused, the OTP is 6 digits from a CSPRNG, valid 5 minutes
for 5 tries, "Gửi lại OTP" waits 60 seconds and at most 3 codes go out per
10 minutes. Codes are kept only as salted HMACs. Everything lives in memory
and all times come from the injected clock, so tests control expiries; the
times it answers are seconds from now by that clock (a repeated submit
answers the registration as it stands), so a client never needs to agree
with the portal on what time it is.
Methods are synchronous, hence atomic on the event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from conversations.fields import mask_phone, password_problems
from conversations.portal import (
    AccountCreated,
    OtpSent,
    OtpVerified,
    PortalRefusal,
    RefusalCode,
    Registration,
)

log = logging.getLogger(__name__)

OTP_TTL = timedelta(minutes=5)
OTP_ATTEMPTS = 5
RESEND_COOLDOWN = timedelta(seconds=60)
SEND_WINDOW = timedelta(minutes=10)
SENDS_PER_WINDOW = 3
REGISTRATION_TTL = timedelta(minutes=30)  # also how long an Idempotency-Key is remembered
SMS_TEXT = "Ma xac thuc dang ky tai khoan Cong DVC quoc gia: {code}. Ma co hieu luc trong 5 phut."


class RandomSource(Protocol):
    """What the sandbox needs from `secrets` (the default): a uniform integer below `n`."""

    def randbelow(self, exclusive_upper_bound: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class SmsMessage:
    phone: str  # E.164
    text: str
    sent_at: datetime


@dataclass(slots=True)
class _Pending:
    registration_id: str
    form: Registration
    expires_at: datetime
    salt: bytes = b""
    code_mac: bytes = b""
    code_expires_at: datetime | None = None
    attempts_left: int = 0
    sends: list[datetime] = field(default_factory=list)
    verified: bool = False


@dataclass(frozen=True, slots=True)
class _Submitted:
    form: Registration
    answer: OtpSent | PortalRefusal
    forget_at: datetime


def _password_hash(password: str, salt: bytes) -> bytes:
    return salt + hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def _mac(salt: bytes, code: str) -> bytes:
    return hmac.new(salt, code.encode(), hashlib.sha256).digest()


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


class SandboxPortal:
    def __init__(
        self,
        clock: Callable[[], datetime],
        on_sms: Callable[[SmsMessage], None] | None = None,
        rng: RandomSource = secrets,
    ) -> None:
        self._clock = clock
        self._on_sms = on_sms
        self._rng = rng
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[str, bytes | None] = {}  # id_number -> salted scrypt of the password (None: seeded)
        self.subscribers: dict[str, str] = {}  # phone -> id_number it is registered to
        self.outbox: list[SmsMessage] = []
        self._pending: dict[str, _Pending] = {}
        self._submitted: dict[str, _Submitted] = {}

    def now(self) -> datetime:
        return self._clock()

    # -- seeding -----------------------------------------------------------

    def add_account(self, id_number: str) -> None:
        self.accounts[id_number] = None

    def add_subscriber(self, phone: str, id_number: str) -> None:
        self.subscribers[phone] = id_number

    # -- the contract ------------------------------------------------------

    def account_exists(self, id_number: str) -> bool:
        return id_number in self.accounts

    def submit(self, form: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        now = self._prune()
        earlier = self._submitted.get(idempotency_key)
        if earlier is not None:
            if earlier.form != form:
                return PortalRefusal(RefusalCode.INVALID_DATA)
            if not isinstance(earlier.answer, OtpSent):
                return earlier.answer
            pending = self._pending.get(earlier.answer.registration_id)
            if pending is not None:  # the same registration, as it stands now: no new code, no new SMS
                return self._otp_sent(pending, now)
            del self._submitted[idempotency_key]  # its registration is finished: this is a new submission
        answer = self._create(form, now)
        self._submitted[idempotency_key] = _Submitted(form, answer, now + REGISTRATION_TTL)
        return answer

    def resend_otp(self, registration_id: str) -> OtpSent | PortalRefusal:
        now = self._prune()
        pending = self._pending.get(registration_id)
        if pending is None:
            return PortalRefusal(RefusalCode.UNKNOWN_REGISTRATION)
        if pending.verified:
            return PortalRefusal(RefusalCode.INVALID_DATA)
        recent = [sent for sent in pending.sends if sent > now - SEND_WINDOW]
        if len(recent) >= SENDS_PER_WINDOW:
            return PortalRefusal(RefusalCode.SEND_LIMIT, retry_after=_seconds(recent[0] + SEND_WINDOW - now))
        if now < pending.sends[-1] + RESEND_COOLDOWN:
            wait = pending.sends[-1] + RESEND_COOLDOWN - now
            return PortalRefusal(RefusalCode.RESEND_COOLDOWN, retry_after=_seconds(wait))
        return self._send_code(pending, now)

    def verify_otp(self, registration_id: str, code: str) -> OtpVerified | PortalRefusal:
        now = self._prune()
        pending = self._pending.get(registration_id)
        if pending is None:
            return PortalRefusal(RefusalCode.UNKNOWN_REGISTRATION)
        matches = hmac.compare_digest(pending.code_mac, _mac(pending.salt, code))
        if pending.verified and matches:  # a retried verify after a lost answer
            return OtpVerified(registration_id)
        if pending.attempts_left <= 0:
            return PortalRefusal(RefusalCode.OTP_LOCKED)
        if pending.code_expires_at is None or now >= pending.code_expires_at:
            return PortalRefusal(RefusalCode.OTP_EXPIRED)
        if not matches:
            pending.attempts_left -= 1
            log.info("sandbox: wrong OTP for %s, %d attempts left", registration_id, pending.attempts_left)
            if pending.attempts_left == 0:  # the 5th wrong code locks at once
                return PortalRefusal(RefusalCode.OTP_LOCKED)
            return PortalRefusal(RefusalCode.OTP_INVALID, attempts_left=pending.attempts_left)
        pending.verified = True
        return OtpVerified(registration_id)

    def set_password(self, registration_id: str, password: str) -> AccountCreated | PortalRefusal:
        self._prune()
        pending = self._pending.get(registration_id)
        if pending is None:
            return PortalRefusal(RefusalCode.UNKNOWN_REGISTRATION)
        if not pending.verified:
            return PortalRefusal(RefusalCode.NOT_VERIFIED)
        if password_problems(password):
            return PortalRefusal(RefusalCode.WEAK_PASSWORD)
        id_number = pending.form.id_number
        del self._pending[registration_id]  # consumed
        if id_number in self.accounts:  # another registration finished first
            return PortalRefusal(RefusalCode.ACCOUNT_EXISTS)
        self.accounts[id_number] = _password_hash(password, secrets.token_bytes(16))
        log.info("sandbox: account created by registration %s", registration_id)
        return AccountCreated(username=id_number)

    def login(self, id_number: str, password: str) -> bool:
        """What the portal's login form would say: lets testers check the password really arrived."""
        stored = self.accounts.get(id_number)
        return stored is not None and hmac.compare_digest(stored, _password_hash(password, stored[:16]))

    # -- internals ---------------------------------------------------------

    def _create(self, form: Registration, now: datetime) -> OtpSent | PortalRefusal:
        if form.id_number in self.accounts:
            return PortalRefusal(RefusalCode.ACCOUNT_EXISTS)
        owner = self.subscribers.get(form.phone)
        if owner is not None and owner != form.id_number:
            return PortalRefusal(RefusalCode.PHONE_NOT_OWNED)
        pending = _Pending(secrets.token_urlsafe(16), form, now + REGISTRATION_TTL)
        self._pending[pending.registration_id] = pending
        log.info("sandbox: registration %s created for %s", pending.registration_id, mask_phone(form.phone))
        return self._send_code(pending, now)

    def _send_code(self, pending: _Pending, now: datetime) -> OtpSent:
        """A fresh code replaces the old one and restores the attempts."""
        code = f"{self._rng.randbelow(10**6):06d}"
        pending.salt = secrets.token_bytes(16)
        pending.code_mac = _mac(pending.salt, code)
        pending.code_expires_at = now + OTP_TTL
        pending.attempts_left = OTP_ATTEMPTS
        pending.sends.append(now)
        sms = SmsMessage(pending.form.phone, SMS_TEXT.format(code=code), now)
        self.outbox.append(sms)
        if self._on_sms is not None:
            self._on_sms(sms)
        return self._otp_sent(pending, now)

    @staticmethod
    def _otp_sent(pending: _Pending, now: datetime) -> OtpSent:
        """The registration's code as of `now`, by the portal's clock: seconds left, not moments."""
        assert pending.code_expires_at is not None, "a code is sent when the registration is created"
        return OtpSent(
            registration_id=pending.registration_id,
            masked_phone=mask_phone(pending.form.phone),
            expires_in=max(0, math.ceil((pending.code_expires_at - now).total_seconds())),
            resend_in=max(0, math.ceil((pending.sends[-1] + RESEND_COOLDOWN - now).total_seconds())),
            attempts_left=pending.attempts_left,
        )

    def _prune(self) -> datetime:
        """Forget expired registrations and idempotency keys; answer the current time."""
        now = self.now()
        self._pending = {key: p for key, p in self._pending.items() if p.expires_at > now}
        self._submitted = {key: s for key, s in self._submitted.items() if s.forget_at > now}
        return now
