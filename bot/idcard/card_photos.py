"""A picture a citizen sent, read for the QR code of their CCCD card: in memory only, never kept.

Each transport says how to fetch the bytes (Telegram: getFile and a
download; the console: a file path); this reads them into the
`PictureReading` the ID step understands. The bytes are dropped as soon as
the codes are read: they are never written to disk, Redis or a log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.idcard.qr_image import MAX_IMAGE_BYTES, ImageTooLarge, ImageTooSmall, NotAnImage, read_qr_texts_async
from conversations.events import PictureProblem, PictureReading

log = logging.getLogger(__name__)


class NotFetched(Exception):
    """The picture's bytes could not be had (a download that failed, a file that cannot be opened)."""


async def read_picture(fetch: Callable[[], Awaitable[bytes]], size: int | None) -> PictureReading:
    """The texts of the picture's QR codes, or why there are none; `size`, when the transport knows it,
    spares the download of a file over the limit."""
    if size is not None and size > MAX_IMAGE_BYTES:
        return PictureReading(problem=PictureProblem.TOO_LARGE)
    try:
        data = await fetch()
    except NotFetched as error:
        log.info("picture not fetched: %s", error)
        return PictureReading(problem=PictureProblem.NOT_FETCHED)
    try:
        texts = await read_qr_texts_async(data)
    except ImageTooLarge:
        return PictureReading(problem=PictureProblem.TOO_LARGE)
    except ImageTooSmall:
        return PictureReading(problem=PictureProblem.TOO_SMALL)
    except NotAnImage:
        return PictureReading(problem=PictureProblem.NOT_AN_IMAGE)
    if not texts:
        return PictureReading(problem=PictureProblem.NO_CODE)
    return PictureReading(tuple(texts))
