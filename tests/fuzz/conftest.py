"""The fuzz suite's size, and Telegram's side of the Bot API reduced to a list of calls.

`FUZZ_EXAMPLES` sets how many cases each property tries per step (default
100, what CI runs; `FUZZ_EXAMPLES=10000` for a long run). The suite drives
the real front, assistant, store (the session's Redis), quota and sandbox
portal; only Telegram's servers are replaced, by `RecordingBot`, which
answers every call at once so that thousands of cases take minutes.
"""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, settings
from redis.asyncio import Redis

from bot.channels.telegram.actions import Action, BotCommand, Result, SendMessage, SendPhoto
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.front import TelegramFront
from bot.channels.telegram.replies import BlockedChats, TelegramReplies
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.inflight import InFlight
from bot.core.message_rate import MessageRate
from bot.core.pseudonyms import Pseudonyms
from bot.core.switchboard import Switchboard
from bot.webapp.links import PasswordLinks
from tests.fuzz.localised import LocalisedText

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)


class RecordingBot:
    """Telegram for the front's `Delivery`: every call succeeds and is kept, in order."""

    def __init__(self) -> None:
        self.calls: list[Action] = []
        self._message_ids = itertools.count(10_000)

    async def execute(self, action: Action) -> Result:
        self.calls.append(action)
        return next(self._message_ids) if isinstance(action, SendMessage | SendPhoto) else None

    async def set_commands(self, commands: list[BotCommand], language: str | None) -> None:
        pass

    async def set_descriptions(self, description: str, short_description: str, language: str | None) -> None:
        pass


@pytest.fixture(scope="session")
def localised() -> LocalisedText:
    return LocalisedText()


def telegram(
    assistant: Assistant, catalogs: Catalogs, redis: Redis, bot_id: int, calls: RecordingBot,
    rate: MessageRate | None = None,
) -> tuple[TelegramFront, Switchboard]:
    """The Telegram channel in process, wired as `bot/app/compose.py` wires it, without pacing or a help desk."""
    store = assistant.store
    delivery = Delivery(calls, BlockedChats(store, bot_id).record)  # not paced
    replies = TelegramReplies(delivery, catalogs, PasswordLinks(redis, Pseudonyms(b"fuzz")), "https://regbot.example")
    switchboard = Switchboard(assistant, catalogs, {str(bot_id): replies}, rate=rate)
    return TelegramFront(switchboard, bot_id, delivery, InFlight()), switchboard
