"""The t.me link that opens the bot with a start parameter, and its QR code for a phone's camera."""

from __future__ import annotations

import io

import segno


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def qr_png(url: str) -> bytes:
    """Medium error correction and a wide quiet zone: read from a counter screen or a printout."""
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=10, border=4)
    return image.getvalue()
