"""A fake Telegram Bot API for end-to-end tests, and the people who use it.

`FakeBotAPI` serves the Bot API over real HTTP on 127.0.0.1, so the bot is
tested through its real client (aiogram, python-telegram-bot); tests inject
updates, make calls fail and read each chat back. `TelegramCitizen` acts as a
person in their private chat with the bot; `TelegramStaff` as a help desk
member in the topics of a `ForumGroup`.
"""

from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import DEFAULT_TOKEN, Call, FakeBotAPI, WebhookFailure
from tests.fakebot.staff import ForumGroup, TelegramStaff
from tests.fakebot.wire import Upload

__all__ = ["DEFAULT_TOKEN", "Call", "FakeBotAPI", "ForumGroup", "TelegramCitizen", "TelegramStaff", "Upload",
           "WebhookFailure"]
