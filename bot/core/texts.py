"""What the core says outside the conversation itself, on any channel: refusals, outages, failures, the form's label."""

from __future__ import annotations

from conversations.text import _

OPEN_FORM = _("🔒 Choose my password")
TOO_FAST = _("You are sending messages faster than I can answer. Please wait {seconds} seconds, then send your "
             "answer again; everything you have told me is kept.")
STORE_UNAVAILABLE = _(
    "Sorry, I cannot work on your registration right now because of a technical problem. Your answers so far "
    "are kept. Please send your last message again (or press the button again) in a minute.")
UPDATE_FAILED = _("Something went wrong on our side. Your progress is kept; please try again. (Reference: {ref})")
DIALOG_UNREADABLE = _("Sorry, I could not read your earlier answers, so your registration starts again from the "
                      "beginning.")
