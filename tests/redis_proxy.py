"""A Unix-socket proxy in front of Redis that can lose a reply, as a network or an overloaded server does.

The command gets through and runs; its reply never comes back, so the
client times out and sends the command again on a fresh connection: the
one case where Redis runs a command twice that the client sent once.
It can also lose every reply from then on, as a Redis that hung does (or a
machine that vanished from the network), and counts the connections opened
through it.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path


class ReplyLosingProxy:
    def __init__(self, upstream: Path, path: Path) -> None:
        self.upstream = upstream
        self.path = path
        self.lost = 0  # replies lost so far
        self.connections = 0  # opened through it so far
        self._lose_next = False
        self._hung = False
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def lose_next_reply(self) -> None:
        self._lose_next = True

    def hang(self) -> None:
        """Lose every reply from now on; connections are still accepted (as the kernel does for a hung server)."""
        self._hung = True

    async def start(self) -> ReplyLosingProxy:
        self._server = await asyncio.start_unix_server(self._serve, str(self.path))
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        redis_reader, redis_writer = await asyncio.open_unix_connection(str(self.upstream))
        await asyncio.gather(self._pipe(client_reader, redis_writer, replies=False),
                             self._pipe(redis_reader, client_writer, replies=True))

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, replies: bool) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                if replies and (self._lose_next or self._hung):
                    self._lose_next, self.lost = False, self.lost + 1
                    continue
                sink.write(data)
                await sink.drain()
        sink.close()
