"""The sizes Telegram lists for a photo a person sends: smaller copies first, the photo itself last.

Telegram keeps a photo in several sizes (thumbnails boxed in 90, 320 and
800 px, then the photo) and a message's `photo` array lists them smallest
first. The fake makes the smaller ones as real JPEG copies, so a bot that
reads the wrong size gets a thumbnail, not the photo; the largest is the
test's bytes unchanged (Telegram would recompress it, which tests do
themselves when they want to).
"""

from __future__ import annotations

import io

from PIL import Image

THUMBNAIL_BOXES = (90, 320, 800)
PLACEHOLDER_SIZES = ((90, 68), (1280, 960))  # for bytes that are no image (a test's stand-in JPEG)


def photo_sizes(content: bytes) -> list[tuple[bytes, int, int]]:
    """(bytes, width, height) of each size, smallest first; the last is `content` itself.

    Bytes Pillow cannot read are listed as two sizes of those same bytes, as if it were a 1280 × 960 photo.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            width, height = image.size
            smaller = [_thumbnail(image, box) for box in THUMBNAIL_BOXES if box < max(width, height)]
    except (OSError, ValueError, Image.DecompressionBombError):
        return [(content, width, height) for width, height in PLACEHOLDER_SIZES]
    return [*smaller, (content, width, height)]


def _thumbnail(image: Image.Image, box: int) -> tuple[bytes, int, int]:
    copy = image.convert("RGB")
    copy.thumbnail((box, box))
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=80)
    return out.getvalue(), copy.width, copy.height
