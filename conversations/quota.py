"""How many registrations may be started: the port the review step asks before it submits.

Submitting makes the portal send an SMS and tells whoever submits whether an
ID number and a phone belong together, so the edge caps how many
registrations one Telegram account, one ID number and one phone number may
start in a day (`bot/core/registration_quota.py`, counted in Redis). The flow only
asks and gets an answer: go ahead, or the moment a new one may be started.
A retried submit of the same form (same idempotency key) is never counted
twice, so a double tap or a portal that forgot the registration costs
nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from conversations.portal import Registration


class RegistrationQuota(Protocol):
    async def claim(self, registration: Registration, idempotency_key: str, now: datetime) -> datetime | None:
        """Count `registration` as started; None: go ahead; else when one may be started again."""
        ...


class Unlimited:
    """No quota: for tests of the flow and for deployments that set none."""

    async def claim(self, registration: Registration, idempotency_key: str, now: datetime) -> datetime | None:
        return None


UNLIMITED = Unlimited()
