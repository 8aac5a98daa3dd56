"""The portal password rule, checked before we send anything.

dichvucong.gov.vn requires 8 or more characters with a lower-case letter,
an upper-case letter, a digit and a special character; we also cap the
length at 128. Each unmet rule is reported on its own so the citizen can
fix all of them at once. We also flag invisible characters (from pasting):
the citizen could never type them again at the portal's login form. And
we refuse passwords that are easy to guess — the most common ones,
Vietnamese favourites, or the citizen's own name, ID or birth year — with
zxcvbn's offline dictionaries. The password is never normalised or echoed:
it is a secret.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

from conversations.fields.normalize import fold, is_invisible
from conversations.text import Text, _

MIN_LENGTH = 8
MAX_LENGTH = 128
GUESSABLE_BELOW = 3  # zxcvbn score 0–2: in its lists, or guessed in under ~10^8 tries
VIETNAMESE_FAVOURITES = (
    "matkhau", "anhyeuem", "emyeuanh", "yeuem", "iloveyou", "vietnam", "dichvucong", "dvcqg", "hanoi",
    "saigon", "conyeu", "giadinh", "hoangsa", "truongsa",
)

PASSWORD_RULE: Text = _(
    "The password needs 8 to 128 characters, with at least one lower-case letter, one upper-case letter, "
    "one digit and one special character such as ! @ # $ %."
)


def _is_special(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace() and ch.isprintable()


def password_problems(password: str) -> list[Text]:
    """The portal's rule: one localisable reason per unmet part; an empty list means it is met."""
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


def guessable(password: str, personal: Iterable[str] = ()) -> Text | None:
    """Our own rule on top of the portal's: refuse what is easy to guess.

    `personal`: the citizen's own details (name, ID number, birth date, phone) a password should not
    be built from.
    """
    hints = [*VIETNAMESE_FAVOURITES, *(word for detail in personal for word in fold(detail).split())]
    if zxcvbn(password[:64], user_inputs=hints)["score"] >= GUESSABLE_BELOW:
        return None
    return _("This password is too easy to guess: it is a common password or is made from your own details. "
             "Please choose another one.")
