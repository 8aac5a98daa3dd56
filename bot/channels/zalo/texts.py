"""What Zalo shows outside the conversation itself: the phone form, the password link."""

from __future__ import annotations

from conversations.text import _

PHONE_FORM_TITLE = _("Share your phone number")
PHONE_FORM_SUBTITLE = _("Zalo sends the number of this account, so it must be your own mobile number.")
PASSWORD_LINK = _("Open this page to choose your password (the link works once, for a few minutes): {url}")
