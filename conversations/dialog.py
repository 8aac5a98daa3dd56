"""One citizen's registration in progress: the document the store keeps.

Small on purpose (it is read and written once per message) and versioned
(`SCHEMA_VERSION`) so a stored dialog from an older release can be
recognised. Everything personal sits in `PersonalData`, which the store
encrypts at rest and which is wiped when the dialog ends. The password is
never a field here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = 2  # 2: help-desk handoff replaced human_requested_at
CONSENT_TEXT_VERSION = "2026-11"

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")


class StepName(StrEnum):
    CONSENT = "consent"
    SUBJECT = "subject"
    METHOD = "method"
    ID_NUMBER = "id_number"
    FULL_NAME = "full_name"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    EMAIL = "email"
    REVIEW = "review"
    OTP = "otp"
    PASSWORD = "password"
    DONE = "done"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScannedCard(_Frozen):
    """What the QR code of a CCCD card gave, awaiting the citizen's "that is right"."""

    id_number: str
    full_name: str
    birth_date: date


class PersonalData(_Frozen):
    """Encrypted at rest, wiped on done or cancel."""

    id_number: str | None = None
    full_name: str | None = None
    birth_date: date | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    unconfirmed_id_number: str | None = None  # accepted with a doubt, awaiting "yes, it is right"
    scanned: ScannedCard | None = None  # read from the card's QR code, awaiting "yes, it is right"

    def is_empty(self) -> bool:
        """Every field at its default (None), read without building an empty model to compare with (a save asks)."""
        return all(value is None for value in self.__dict__.values())


class Consent(_Frozen):
    given_at: datetime
    text_version: str
    language: Language


class HandoffReason(StrEnum):
    ASKED = "asked"  # /human, or the button in /help
    STUCK = "stuck"  # the same question refused three times
    OTP_LOCKED = "otp_locked"  # too many wrong codes
    STAFF = "staff"  # a staff member stepped in


class Handoff(_Frozen):
    """The dialog is with the help desk: the assistant does not answer until staff give it back."""

    reason: HandoffReason
    since: datetime


class OtpState(_Frozen):
    registration_id: str
    masked_phone: str
    expires_at: datetime
    resend_at: datetime
    attempts_left: int


class Pairing(_Frozen):
    """A password page opened without launch data, waiting for its code in the chat (conversations/pairing.py)."""

    link: str  # the link's name as Redis knows it
    code: str  # the digest of the code the page shows
    until: datetime
    confirmed: bool = False


class Dialog(_Frozen):
    schema_version: int = SCHEMA_VERSION
    step: StepName = StepName.CONSENT
    language: Language = "vi"
    data: PersonalData = PersonalData()
    editing: bool = False  # reached a field from the review: go back there after it
    consent: Consent | None = None
    otp: OtpState | None = None
    verified_registration: str | None = None  # OTP confirmed; only the password is left
    username_hint: str | None = None  # masked login name shown once done
    tries: int = 0  # answers refused at this step (three hand the citizen to a person)
    handoff: Handoff | None = None
    followed: bool = False  # a help-desk case is open on this dialog: its card follows every step
    assisted: bool = False  # prepared by staff at a counter, to be handed to the citizen's phone
    pairing: Pairing | None = None  # the password page opened in a browser, bound by a code sent here

    def with_data(self, **changes: object) -> Dialog:
        return self.model_copy(update={"data": self.data.model_copy(update=changes)})

    def restarted(self) -> Dialog:
        """A fresh dialog that keeps only the citizen's language: nothing personal survives."""
        return Dialog(language=self.language)

    def at(self, step: StepName) -> Dialog:
        """The dialog moved to `step`: a new question, so a clean slate of tries."""
        return self.model_copy(update={"step": step, "tries": 0})
