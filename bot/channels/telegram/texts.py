"""What Telegram shows outside the conversation: command menu, descriptions, the contact and form buttons."""

from __future__ import annotations

from bot.channels.telegram.actions import BotCommand
from bot.core.i18n import Catalogs
from conversations.dialog import Language
from conversations.text import _

SHARE_PHONE = _("📱 Share my phone number")
OPEN_IN_BROWSER = _("🌐 Open the form in a browser")
OPEN_ON_THIS_COMPUTER = _(
    "This test setup has no https address, so Telegram cannot open the password form here. Open this link in a "
    "browser on the computer running the bot: {url}")
COMMANDS = (
    ("start", _("Start or continue the registration")),
    ("back", _("Go back to the previous question")),
    ("status", _("Where am I and what have I entered")),
    ("help", _("Help with the current question")),
    ("language", _("Tiếng Việt / English")),
    ("human", _("Talk to a person from the help desk")),
    ("cancel", _("Stop and delete my answers")),
    ("delete", _("Delete everything this bot keeps about me")),
)
DESCRIPTION = _(
    "I help you register an account on the National Public Service Portal (dichvucong.gov.vn) with your "
    "mobile number, step by step. Your password never goes through this chat. Press Start to begin.")
SHORT_DESCRIPTION = _("Register on dichvucong.gov.vn with your mobile number, step by step.")


def commands(catalogs: Catalogs, language: Language) -> list[BotCommand]:
    return [BotCommand(name, catalogs.render(text, language)) for name, text in COMMANDS]
