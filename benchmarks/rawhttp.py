"""A minimal HTTP/1.1 POST client with keep-alive connections: the load generator's side of the webhook.

On a 2-core machine the generator shares the cores with the workers, so its
cost per update is taken from what the workers could have had. aiohttp's
client costs a few hundred µs of CPU per request; this one writes one
prepared buffer per request and reads the answer's status line,
Content-Length and body — enough for aiohttp's server (the workers'), which
always answers with a Content-Length. Anything else (chunked answers,
a dropped connection) raises `RawHttpError`.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


class RawHttpError(Exception):
    pass


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(RawHttpError(f"connection lost: {exc!r}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        length = 0
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17: stop if stop >= 0 else None])
        elif b"\r\ntransfer-encoding:" in head:
            self.waiter.set_exception(RawHttpError("chunked answers are not supported"))
            return
        if len(self.buffer) < end + 4 + length:
            return
        body = bytes(self.buffer[end + 4: end + 4 + length])
        del self.buffer[: end + 4 + length]
        keep = b"\r\nconnection: close" not in head
        self.waiter.set_result((int(head[9:12]), body, keep))

    async def request(self, data: bytes) -> tuple[int, bytes, bool]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class RawPoster:
    """POSTs to one URL with fixed headers over a pool of keep-alive connections (as many as are busy)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.hostname and parts.port
        self.host, self.port = parts.hostname, parts.port
        lines = [f"POST {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}",
                 *(f"{name}: {value}" for name, value in headers.items())]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self._idle: list[_Connection] = []
        self._all: set[_Connection] = set()

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """Status and body of the answer."""
        connection = self._idle.pop() if self._idle else await self._connect()
        keep = False
        try:
            status, answer, keep = await connection.request(self._head + b"%d\r\n\r\n" % len(body) + body)
            return status, answer
        finally:
            if keep and not connection.lost:
                self._idle.append(connection)
            else:
                connection.close()
                self._all.discard(connection)

    async def _connect(self) -> _Connection:
        _, connection = await asyncio.get_running_loop().create_connection(_Connection, self.host, self.port)
        self._all.add(connection)
        return connection

    def close(self) -> None:
        for connection in self._all:
            connection.close()
        self._all.clear()
        self._idle.clear()
