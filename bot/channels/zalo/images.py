"""A citizen's picture from its Zalo URL, in memory, at once: how long the URL works is not known."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from bot.idcard.card_photos import NotFetched
from bot.idcard.qr_image import MAX_IMAGE_BYTES

DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=20)


def image_fetcher(session: aiohttp.ClientSession) -> Callable[[str], Awaitable[bytes]]:
    async def fetch(url: str) -> bytes:
        """The image's bytes, at most MAX_IMAGE_BYTES + 1 of them (a larger one is refused as too large)."""
        try:
            async with session.get(url, timeout=DOWNLOAD_TIMEOUT) as response:
                if response.status != 200:
                    raise NotFetched(f"HTTP {response.status}")
                return await response.content.read(MAX_IMAGE_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise NotFetched(type(error).__name__) from None

    return fetch
