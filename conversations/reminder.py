"""The nudge for a citizen who stopped halfway: what it says, and when there is nothing to nudge about.

Sent once per idle spell (the bot decides when; see `bot/core/reminders.py`).
Not before consent — someone who has not agreed has not started — not
after the end, and not while a person or an assisted registration has
the dialog.
"""

from __future__ import annotations

from conversations.dialog import Dialog, StepName
from conversations.outcome import progress
from conversations.replies import Button, Reply
from conversations.text import _

CONTINUE = "remind:continue"
DELETE = "remind:delete"


def reminder(dialog: Dialog) -> Reply | None:
    if dialog.step in (StepName.CONSENT, StepName.DONE) or dialog.handoff is not None or dialog.assisted:
        return None
    where = progress(dialog)
    lines = (_("You have not finished registering your account on the National Public Service Portal."),
             *((where,) if where else ()),
             _("Continue where you stopped? Your answers are kept for now; /delete removes them."))
    return Reply(lines, ((Button(CONTINUE, _("Continue")), Button(DELETE, _("Delete my data"))),))
