"""A `redis+cluster://` REDIS_URL gets a Redis Cluster client that finds each key's node by itself.

A one-node cluster (every slot on one real redis-server process) is enough to show the client the bot
builds speaks the cluster protocol (CLUSTER SLOTS, then each command to its slot's node), runs the
bot's kind of work (a Lua script, a transaction on one hash tag) and closes cleanly; the whole flow on a
three-primary cluster is tested with the keys' hash tags.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.app.redis_clients import open_redis
from bot.app.redis_url import parse_redis_url
from tests.sentinel_process import ServerProcess, until

SLOTS = 16384


@pytest.fixture
async def one_node_cluster(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    node = ServerProcess(tmp_path / "node", ["--cluster-enabled", "yes", "--cluster-config-file",
                                             str(tmp_path / "node" / "nodes.conf"), "--save", "", "--appendonly", "no"])
    await node.start()
    client = node.client()
    try:
        await client.execute_command("CLUSTER ADDSLOTS", *range(SLOTS))
        await until(lambda: _cluster_ok(node), "the cluster's state is ok")
        yield node
    finally:
        await client.aclose()
        await node.stop()


async def _cluster_ok(node: ServerProcess) -> bool:
    client = node.client()
    try:
        return bool((await client.cluster("INFO"))["cluster_state"] == "ok")
    finally:
        await client.aclose()


async def test_a_cluster_url_gets_a_client_that_works_through_the_cluster(one_node_cluster: ServerProcess) -> None:
    async with open_redis(parse_redis_url(f"redis+cluster://127.0.0.1:{one_node_cluster.port}"), timeout=2) as client:
        assert isinstance(client, RedisCluster)
        await client.set("regbot:{dialog}:state", "step 3")
        counter = client.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        assert await counter(keys=["regbot:{dialog}:count"], args=[2]) == 2
        async with client.pipeline(transaction=True) as pipe:
            pipe.get("regbot:{dialog}:state").incr("regbot:{dialog}:count")
            assert await pipe.execute() == [b"step 3", 3]
