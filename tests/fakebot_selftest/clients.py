"""Real Bot API clients pointed at the fake: aiogram's Bot and python-telegram-bot's Bot."""

from __future__ import annotations

from typing import Any

import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update

from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI


class LoopbackSession(AiohttpSession):
    """aiogram's session, minus the 250 ms it waits on close for TLS connections loopback HTTP does not have."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def aiogram_bot(api: FakeBotAPI, token: str = DEFAULT_TOKEN) -> Bot:
    return Bot(token, session=LoopbackSession(api=TelegramAPIServer.from_base(api.base_url)))


def ptb_bot(api: FakeBotAPI, token: str = DEFAULT_TOKEN) -> telegram.Bot:
    """python-telegram-bot's Bot; use it as `async with`, which calls getMe."""
    return telegram.Bot(token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot")


def parsed(update: dict[str, Any], bot: Bot) -> Update:
    """An update as aiogram's strict models read it (a malformed one fails here)."""
    return Update.model_validate(update, context={"bot": bot})
