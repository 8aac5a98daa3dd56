"""The portal password rule, checked before we send anything.

dichvucong.gov.vn requires 8 or more characters with a lower-case letter,
an upper-case letter, a digit and a special character; we also cap the
length at 128. Each unmet rule is reported on its own so the citizen can
fix all of them at once. We also flag invisible characters (from pasting):
the citizen could never type them again at the portal's login form. The
password is never normalised or echoed: it is a secret.
"""

from __future__ import annotations

from conversations.fields.normalize import is_invisible
from conversations.text import Text, _

MIN_LENGTH = 8
MAX_LENGTH = 128

PASSWORD_RULE: Text = _(
    "The password needs 8 to 128 characters, with at least one lower-case letter, one upper-case letter, "
    "one digit and one special character such as ! @ # $ %."
)


def _is_special(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace() and ch.isprintable()


def password_problems(password: str) -> list[Text]:
    """One localisable reason per unmet rule; an empty list means the password is acceptable."""
    problems: list[Text] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("The password must have at least {limit} characters.", limit=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("The password can have at most {limit} characters.", limit=MAX_LENGTH))
    if not any(ch.islower() for ch in password):
        problems.append(_("The password needs a lower-case letter."))
    if not any(ch.isupper() for ch in password):
        problems.append(_("The password needs an upper-case letter."))
    if not any(ch.isdecimal() for ch in password):
        problems.append(_("The password needs a digit."))
    if not any(_is_special(ch) for ch in password):
        problems.append(_("The password needs a special character such as ! @ # $ %."))
    if any(is_invisible(ch) for ch in password):
        problems.append(
            _("The password contains an invisible character. Please type it yourself instead of pasting it.")
        )
    return problems
