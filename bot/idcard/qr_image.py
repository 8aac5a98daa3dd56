"""The texts of the QR codes in a photo, decoded in memory (issue 9: the QR code on a CCCD card).

The citizen's photo is personal data, so it never touches disk: the bytes
are opened with Pillow from memory and handed to zxing-cpp as a greyscale
bitmap. The cheap pass (zxing-cpp as is, which already searches rotations,
inverted and downscaled copies, with a binarizer that adapts to local
light) reads most photos; only when it finds nothing are the sharpened
variants tried (`PASSES`), so a clean photo pays for one pass.

Refusals the citizen can cause are exceptions the caller maps to its own
localised messages: `ImageTooLarge` (more bytes than `MAX_IMAGE_BYTES`),
`NotAnImage` (not a JPEG, PNG or WebP, a truncated one, or one whose
header claims more than `MAX_IMAGE_PIXELS`, a decompression bomb). An empty
list means "no QR code found".
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A 50-megapixel phone photo still passes; a PNG claiming 30,000 × 30,000 pixels in a few kilobytes does not.
# Checked on the header, before a pixel is decoded. Pillow's own MAX_IMAGE_PIXELS is process-wide (and only
# refuses at twice its 89 MP), so this module keeps its own limit rather than change a global at import.
MAX_IMAGE_PIXELS = 50_000_000
# A CCCD's code has about 60 modules a side and wants 2–3 pixels per module: a picture whose shorter side is
# under this cannot hold it readably, so finding nothing there means "come closer", not "no code".
MIN_READABLE_SIDE = 200
# What phones, Telegram and screenshots produce, and nothing else: every decoder Pillow runs on a stranger's
# bytes is attack surface (its CVEs are mostly in the rarer ones; EPS even runs Ghostscript), so GIF, BMP,
# TIFF and the rest are refused as "not an image" before a decoder sees more than the header.
FORMATS = ("JPEG", "PNG", "WEBP")
# Decodes at once: each holds a full-size bitmap, and the machine's cores are the real limit anyway.
DECODE_THREADS = 2
ENLARGE_UP_TO = 2600  # pixels on the long side, for the last decoding pass
QR_CODES = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)  # not the other 1D/2D formats zxing knows


class ImageRefused(Exception):
    """The bytes cannot be read as a photo at all (the subclass says why)."""


class ImageTooLarge(ImageRefused):
    """More than MAX_IMAGE_BYTES."""


class ImageTooSmall(ImageRefused):
    """No code found in a picture too small to hold a readable one: the citizen should come closer."""


class NotAnImage(ImageRefused):
    """Not an image in a format read here, damaged, or claiming too many pixels."""


@dataclass(frozen=True)
class Pass:
    """One way of looking at the photo: a Pillow preparation, then zxing-cpp with a binarizer."""

    name: str
    prepare: Callable[[Image.Image], Image.Image]
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage


def read_qr_texts(data: bytes, passes: Sequence[Pass] | None = None) -> list[str]:
    """The texts of every QR code found in the image, in the order found; [] when there is none.

    The passes run in order until one finds a code (`PASSES` by default; the benchmark also runs the first
    alone, to show what the others add).
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(f"{len(data)} bytes, at most {MAX_IMAGE_BYTES}")
    greyscale = _open_greyscale(data)
    for one in PASSES if passes is None else passes:
        texts = _decode(one.prepare(greyscale), one.binarizer)
        if texts:
            return texts
    if min(greyscale.size) < MIN_READABLE_SIDE:
        raise ImageTooSmall(f"{greyscale.width}×{greyscale.height} pixels")
    return []


async def read_qr_texts_async(data: bytes) -> list[str]:
    """`read_qr_texts` on a worker thread, so the event loop keeps serving other citizens meanwhile.

    Pillow and zxing-cpp release the GIL while they work, so the loop really runs in the meantime. The
    threads are a small pool of their own rather than asyncio.to_thread's: the default executor has up to
    32 threads, and a burst of photos would hold as many full-size bitmaps in memory at once.
    """
    return await asyncio.get_running_loop().run_in_executor(_decoders(), read_qr_texts, data)


@functools.cache
def _decoders() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=DECODE_THREADS, thread_name_prefix="qr-decode")


def _open_greyscale(data: bytes) -> Image.Image:
    """The first frame as 8-bit greyscale, transparent parts on white (a QR code is dark on light)."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise NotAnImage(f"{image.width}×{image.height} pixels, at most {MAX_IMAGE_PIXELS}")
            image.draft("L", image.size)  # a JPEG decodes straight to greyscale, skipping colour conversion
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                white = Image.new("RGBA", image.size, "white")
                return Image.alpha_composite(white, image.convert("RGBA")).convert("L")
            return image.convert("L")
    except NotAnImage:
        raise
    except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError) as error:
        # UnidentifiedImageError and "image file is truncated" are OSErrors; damaged headers of some formats
        # surface as the others.
        raise NotAnImage(str(error)) from error


def _decode(image: Image.Image, binarizer: zxingcpp.Binarizer) -> list[str]:
    texts: list[str] = []
    for barcode in zxingcpp.read_barcodes(image, formats=QR_CODES, binarizer=binarizer):
        text = _text(barcode)
        if text not in texts:
            texts.append(text)
    return texts


def _text(barcode: zxingcpp.Barcode) -> str:
    """The content as UTF-8 when it is valid UTF-8, zxing's reading otherwise.

    CCCD cards write UTF-8 without an ECI header, which leaves zxing to guess the character set; a
    strict UTF-8 decode of the raw bytes is exact for them, and other codes keep zxing's guess.
    """
    try:
        return barcode.bytes.decode("utf-8")
    except UnicodeDecodeError:
        return barcode.text


def _as_sent(image: Image.Image) -> Image.Image:
    return image


def _sharpened(image: Image.Image) -> Image.Image:
    """Edges steepened: a photo slightly out of focus blurs each module into its neighbours."""
    return image.filter(ImageFilter.UnsharpMask(radius=1.5, percent=500, threshold=0))


def _enlarged_and_sharpened(image: Image.Image) -> Image.Image:
    """Twice the pixels, then sharpened twice: a small and blurred code gets room for its edges.

    Enlarging stops at ENLARGE_UP_TO pixels on the long side: a large photo has pixels enough already,
    and four times its area would cost time and memory for nothing.
    """
    factor = min(2.0, ENLARGE_UP_TO / max(image.size))
    if factor > 1.0:
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)
    sharpen = ImageFilter.UnsharpMask(radius=3, percent=200, threshold=0)
    return image.filter(sharpen).filter(sharpen)


# In order, each tried only when the ones before it found nothing. Chosen on generated photos (seeds apart
# from the benchmark's): the first reads nearly every photo that is not blurred; the sharpened ones read most
# of those blurred by 0.45–0.65 of a module's width. Contrast stretching, equalising, denoising and zxing's
# other binarizers read none that these miss, so they are not here.
PASSES: tuple[Pass, ...] = (
    Pass("as sent", _as_sent),
    Pass("sharpened", _sharpened),
    Pass("enlarged and sharpened", _enlarged_and_sharpened),
)
