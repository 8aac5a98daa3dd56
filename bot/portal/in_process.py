"""The sandbox portal in process, behind the `Portal` protocol the flow talks to.

`SandboxPortal` holds the sandbox's rules but its methods are synchronous,
so it does not satisfy `conversations.portal.Portal` (async) by itself; the
product reaches it over HTTP through `PortalClient`. This wrapper awaits
nothing, for whoever wants the portal's real rules without a local HTTP hop:
the benchmark (it measures the bot) and the tests of the flow over the pure
core (tests/conversations). The SMS callback keeps each phone's latest code,
as a tester reading the outbox would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from bot.portal.sandbox_state import SandboxPortal, SmsMessage
from conversations.portal import AccountCreated, OtpSent, OtpVerified, PortalRefusal, Registration

CODE = re.compile(r"\b(\d{6})\b")


class InProcessPortal:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.sandbox = SandboxPortal(clock, on_sms=self._received)
        self.codes: dict[str, str] = {}  # E.164 phone -> the latest code sent to it

    def _received(self, sms: SmsMessage) -> None:
        match = CODE.search(sms.text)
        assert match, sms.text
        self.codes[sms.phone] = match.group(1)

    def code_for(self, phone: str) -> str:
        """The latest code sent to `phone`, or a code that is wrong when none was sent."""
        return self.codes.get(phone, "000000")

    def last_code(self, phone: str) -> str:
        """The latest code sent to `phone`; that one was sent is part of what the caller checks."""
        assert phone in self.codes, f"no SMS sent to {phone}"
        return self.codes[phone]

    def sent_to(self, phone: str) -> list[SmsMessage]:
        """Every SMS sent to `phone`, oldest first: the outbox a tester reads."""
        return [sms for sms in self.sandbox.outbox if sms.phone == phone]

    async def account_exists(self, id_number: str) -> bool:
        return self.sandbox.account_exists(id_number)

    async def submit(self, registration: Registration, idempotency_key: str) -> OtpSent | PortalRefusal:
        return self.sandbox.submit(registration, idempotency_key)

    async def resend_otp(self, registration_id: str) -> OtpSent | PortalRefusal:
        return self.sandbox.resend_otp(registration_id)

    async def verify_otp(self, registration_id: str, code: str) -> OtpVerified | PortalRefusal:
        return self.sandbox.verify_otp(registration_id, code)

    async def set_password(self, registration_id: str, password: str) -> AccountCreated | PortalRefusal:
        return self.sandbox.set_password(registration_id, password)
