"""What Zalo shows outside the conversation itself: the phone form, the password link, the OTP note."""

from __future__ import annotations

from conversations.text import _

PHONE_FORM_TITLE = _("Share your phone number")
PHONE_FORM_SUBTITLE = _("Zalo sends the number of this account, so it must be your own mobile number.")
PASSWORD_LINK = _("Open this page to choose your password (the link works once, for a few minutes): {url}")
# Said where Telegram's chat would lose the citizen's message (Effect.FORGET_MESSAGE): an OTP, a pairing code, a
# password typed in the chat, a card's photo. The flow never echoes what it held.
MESSAGE_STAYS = _("Zalo does not let me delete your message from this chat; you can remove it yourself. A code in "
                  "it works only once and expires within minutes, so it is of no use to anyone now.")
