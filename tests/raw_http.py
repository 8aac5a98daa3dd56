"""An HTTP request with header bytes no client library would send: what an attacker's socket can write."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


async def post_raw(url: str, headers: dict[str, bytes], body: bytes = b"{}") -> int:
    """POST `body` to `url` with `headers` written byte for byte; the response's status code."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    lines = [f"POST {parts.path or '/'} HTTP/1.1".encode(), f"Host: {parts.netloc}".encode(),
             b"Content-Type: application/json", f"Content-Length: {len(body)}".encode(), b"Connection: close",
             *(name.encode() + b": " + value for name, value in headers.items())]
    writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])
