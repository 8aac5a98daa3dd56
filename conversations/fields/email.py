"""The citizen's email address (optional on the portal's form).

Syntax is checked by `email_validator` without DNS (no I/O in the core). Its
messages are English, so they never reach the citizen: we answer our own
localisable reasons for the common mistakes (no @, two @, spaces, accents
from a Telex/VNI keyboard left on, a bad domain, a bad local part). Accented
letters are refused anywhere in the address: Vietnamese mail providers do
not issue such addresses, so an accent is almost always the keyboard's doing.
254 characters is the longest address SMTP can carry (RFC 5321 path limit).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from conversations.parsing import Accepted, ParseResult, Refused
from conversations.text import _

MAX_LENGTH = 254


def parse_email(text: str) -> ParseResult[str]:
    """Accept a syntactically valid ASCII email address; answer its normalised form."""
    address = text.strip()
    if not address:
        return Refused(_("Please type your email address, for example nguyenvana@gmail.com."))
    if len(address) > MAX_LENGTH:
        return Refused(_("An email address has at most {limit} characters.", limit=MAX_LENGTH))
    if "@" not in address:
        return Refused(_("An email address needs an @ sign, as in nguyenvana@gmail.com."))
    if address.count("@") > 1:
        return Refused(_("An email address has only one @ sign."))
    if any(ch.isspace() for ch in address):
        return Refused(_("An email address cannot contain spaces."))
    if not address.isascii():
        return Refused(
            _(
                "An email address cannot contain accented letters. "
                "Please switch off the Vietnamese keyboard and type it again."
            )
        )
    try:
        validated = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        # Which part is wrong, asked only of an address refused: checked first, it doubled the cost of every
        # valid one (`email_validator` is most of the email step's CPU).
        if not _valid(f"a@{address.rpartition('@')[2]}"):
            return Refused(_("The part after the @ sign is not a valid domain. It should look like gmail.com."))
        return Refused(
            _("The part before the @ sign is not valid. Please check the address and type it again.")
        )
    if len(validated.normalized) > MAX_LENGTH:
        return Refused(_("An email address has at most {limit} characters.", limit=MAX_LENGTH))
    return Accepted(validated.normalized)


def _valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
