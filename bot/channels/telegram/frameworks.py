"""The framework that runs the bot, chosen by BOT_FRAMEWORK: one handler tree, run by either."""

from __future__ import annotations

from typing import Literal

from bot.channels.telegram.adapter import TelegramAdapter

Framework = Literal["aiogram", "ptb"]


def make_adapter(framework: Framework, token: str, api_url: str) -> TelegramAdapter:
    """Imports only the chosen framework: each takes seconds to import."""
    if framework == "ptb":
        from bot.channels.telegram.ptb_adapter import PtbAdapter

        return PtbAdapter(token, api_url)
    from bot.channels.telegram.aiogram_adapter import AiogramAdapter

    return AiogramAdapter(token, api_url)
