"""Pairing: a password page opened without Telegram's signed launch data is bound to the citizen by a code.

A browser (or a channel with no launch data) proves nothing about who opened
the link: a forwarded message, a proxy's log would do. So the page shows a
short one-time code and keeps the password typed there in the browser; the
code must come back in the chat, from the citizen's own account, within a
few minutes, before the password is taken. The dialog keeps only a digest
of the code, bound to the link's name; a wrong code ends the pairing and
the link with it (a new link is issued, which kills the old one).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta

from conversations.text import _

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen, typed on a phone
CODE_LENGTH = 6
PAIRING_TTL = timedelta(minutes=5)

_SHAPE = re.compile(r"^[A-Z0-9]{3}[\s\-]?[A-Z0-9]{3}$")


def shown(code: str) -> str:
    """As the page shows it: "K7P-2QX"."""
    return f"{code[:3]}-{code[3:]}"


def typed_code(text: str) -> str | None:
    """What the citizen typed, if it is shaped like a pairing code (letters and digits, 3+3, a dash or space
    between, any case, full-width letters too); None for anything else (an answer, a password typed by mistake)."""
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    if not _SHAPE.match(folded) or not re.search(r"[A-Z]", folded):
        return None  # six digits alone is an OTP, not a pairing code
    return re.sub(r"[\s\-]", "", folded)


def digest(link: str, code: str) -> str:
    """What the dialog keeps of a code: a hash bound to the link it pairs (never the code itself)."""
    return hashlib.sha256(f"{link}:{code}".encode()).hexdigest()

ASK_FOR_CODE = _("Your password form was opened in a browser. If that was you, type here the code the form shows "
                 "(like ABC-123), within 5 minutes; your password is set only then. If it was not you, type nothing: "
                 "that link will expire.")
PAIRED = _("Thank you, that is the right code. Go back to the form: your password is being set now.")
WRONG_CODE = _("That is not the code the form showed, so I have cancelled that link. Here is a new one: open it only "
               "from this chat.")
CODE_EXPIRED = _("That code has expired. Here is a new link to the form.")
