"""What the help desk says to staff, in `STAFF_LANGUAGE` (what citizens are told is in `conversations`)."""

from __future__ import annotations

from bot.channels.zalo.api import image_limit
from bot.core.answer import SayResult
from bot.helpdesk.cases import Status
from conversations.dialog import HandoffReason, StepName
from conversations.text import _

STEP_LABELS = {
    StepName.CONSENT: _("consent"),
    StepName.SUBJECT: _("citizen or business"),
    StepName.METHOD: _("registration method"),
    StepName.ID_NUMBER: _("ID number"),
    StepName.FULL_NAME: _("full name"),
    StepName.BIRTH_DATE: _("date of birth"),
    StepName.PHONE: _("phone"),
    StepName.EMAIL: _("email"),
    StepName.REVIEW: _("review and submit"),
    StepName.OTP: _("SMS code"),
    StepName.PASSWORD: _("password"),
    StepName.DONE: _("registered"),
}
STATUSES = {
    Status.WAITING: _("waiting for staff"),
    Status.TALKING: _("with staff"),
    Status.ASSISTANT: _("with the assistant"),
    Status.CLOSED: _("closed"),
}
REASONS = {
    HandoffReason.ASKED: _("the citizen asked for a person"),
    HandoffReason.STUCK: _("the same question was refused three times"),
    HandoffReason.OTP_LOCKED: _("too many wrong SMS codes"),
    HandoffReason.STAFF: _("a staff member stepped in"),
}
CHANNELS = {"telegram": _("Telegram"), "zalo": _("Zalo")}
CARD = {
    "channel": _("Channel"),
    "status": _("Status"),
    "reason": _("Reason"),
    "since": _("Handed over at"),
    "step": _("Step"),
    "language": _("Language"),
    "id_number": _("ID number"),
    "full_name": _("Name"),
    "birth_date": _("Year of birth"),
    "phone": _("Phone"),
    "email": _("Email"),
    "gone": _("The citizen's dialog has ended or expired."),
    "commands": _("Write here to answer the citizen (the first message takes the case). /note … stays in "
                  "this topic. /take, /transfer @colleague (or as a reply), /resume [step], /close, "
                  "/reveal id|name|birth|phone|email, /card."),
}
TAKEN = _("{name} has taken case #{number}.")
TRANSFERRED = _("Case #{number} was handed from {old} to {new}.")
NOT_YOURS = _("Not sent to the citizen: case #{number} is with {name}. Use /take to take it over.")
NOT_TALKING = _("Not sent to the citizen: they are with the assistant. Use /take to step in.")
CLOSED_NOTE = _("Case #{number} was closed by {name}.")
SUPERSEDED = _("Case #{number} is closed: the citizen opened the registration prepared for them at a counter "
               "(case #{assisted}), and the assistant has their dialog now.")
CITIZEN_BACK = _("The citizen went back to the assistant (/cancel).")
CITIZEN_ERASED = _("The citizen deleted their data (/delete). Case #{number} is closed and no longer leads to them.")
RESUMED = _("{name} gave the dialog back to the assistant at: {step}.")
CANNOT_RESUME = _("The dialog cannot resume at that step now. Choose one of these:")
CHOOSE_STEP = _("Where should the assistant take over again?")
NO_TARGET = _("Whom to? Reply to a message of your colleague with /transfer, or write /transfer @username.")
UNKNOWN_STAFF = _("{who} is not a member of the staff group, or has not written in it yet.")
REVEALED = _("{name} viewed the {field} of case #{number} (sent privately).")
REVEAL_PRIVATE = _("Case #{number}, {field}: {value}")
REVEAL_FIELDS = _("Which field? /reveal id, /reveal name, /reveal birth, /reveal phone or /reveal email.")
REVEAL_EMPTY = _("The citizen has not given their {field} yet.")
REVEAL_ADMINS_ONLY = _("Only the staff group's administrators can see a citizen's details in full. Ask one of "
                       "them.")
REVEAL_NOT_RECORDED = _("Nothing was shown: the audit log could not record it. Please try again in a moment.")
OPEN_PRIVATE_CHAT = _("I could not write to you privately. Open a private chat with me, press Start, then try "
                      "again.")
ONLY_ASSIGNEE = _("Only {name}, who has case #{number}, can do that. Use /take first.")
UNKNOWN_COMMAND = _("Unknown command. In a case topic: /take, /transfer, /resume, /close, /reveal, /card, /note.")
LINK_READY = _("Link for the citizen (works once, for {minutes} minutes):\n{url}\nOr let them scan this QR code "
               "with their phone's camera.")
ZALO_CODE = _("On Zalo: the citizen types this code in their chat with our Official Account (works once, like "
              "the link): {code}")
ZALO_CODE_LINK = _("On Zalo: the citizen opens {url} and types this code in the chat (works once, like the link): "
                   "{code}")
LINK_OPENED = _("The citizen has opened the link: the registration is now on their phone.")
UNDELIVERED = {
    SayResult.WINDOW_CLOSED: _("Not delivered: Zalo lets us write to a citizen only within 7 days of their last "
                               "message, and this citizen has not written since. They get nothing more until they "
                               "write again."),
    SayResult.UNFOLLOWED: _("Not delivered: the citizen has left the chat (unfollowed the Zalo Official Account, or "
                            "blocked the bot on Telegram). Nothing reaches them unless they come back."),
    SayResult.INACTIVE: _("Not delivered: Zalo says this citizen's account is banned or has been inactive for more "
                          "than 45 days."),
    SayResult.PICTURE_TOO_LARGE: _("Not delivered: Zalo takes pictures of at most {size}. Send a smaller one (as a "
                                   "photo, which Telegram compresses).", size=image_limit()),
    SayResult.PICTURE_TYPE: _("Not delivered: Zalo takes only JPG and PNG pictures. Send it as a photo rather than "
                              "as a file."),
    SayResult.REFUSED: _("Not delivered: the citizen's messenger refused the message or could not be reached. The "
                         "bot's log has the reason; try again in a moment."),
}
# What a staff command made the assistant say (joined, resumed, closed) that did not reach the citizen: the command
# did its work all the same.
NOT_TOLD = {
    SayResult.WINDOW_CLOSED: _("The citizen was not told of this: Zalo lets us write to a citizen only within 7 days "
                               "of their last message, and this citizen has not written since."),
    SayResult.UNFOLLOWED: _("The citizen was not told of this: they have left the chat (unfollowed the Zalo Official "
                            "Account, or blocked the bot on Telegram)."),
    SayResult.INACTIVE: _("The citizen was not told of this: Zalo says their account is banned or has been inactive "
                          "for more than 45 days."),
    SayResult.REFUSED: _("The citizen was not told of this: their messenger refused the message or could not be "
                         "reached. The bot's log has the reason."),
}
EDIT_NOT_FOLLOWED = _("Zalo cannot change a message already sent: the citizen still sees the first version. Send "
                      "them a correction as a new message.")
ONLY_WORDS_AND_PICTURES = _("Not delivered: only words and pictures reach a citizen on Zalo.")
PICTURE_NOT_RELAYED = _("The citizen sent a picture that could not be shown here. Ask them to describe it, or to "
                        "send it again.")
CITIZEN_SENT_OTHER = _("The citizen sent something other than words or a picture (a sticker, a voice note, a file, "
                       "their contact…), which cannot be shown here.")
