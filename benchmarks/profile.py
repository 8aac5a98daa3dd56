"""Where the product's time goes: pyinstrument over the timed stream, frames ranked by their own time.

A separate run from the measured one (sampling slows things a little). The
event loop's idle wait shows up as the selector's own time: that is time
spent waiting on Redis (the Redis server is another process).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from benchmarks.harness import feed_all
from benchmarks.product import Product
from benchmarks.redis_server import RedisServer
from benchmarks.workload import Workload

TOP = 15


def _package(path: str) -> str:
    """The top-level package a file belongs to, e.g. 'aiogram', 'bot', 'asyncio'."""
    parts = path.replace("\\", "/").split("/")
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1:]
        return rest[0].removesuffix(".py") if rest else "?"
    for root in ("bot", "conversations", "benchmarks"):
        if root in parts:
            return root
    if "python3.11" in parts:
        rest = parts[parts.index("python3.11") + 1:]
        return f"stdlib:{rest[0].removesuffix('.py')}" if rest else "stdlib"
    return parts[-1]


async def profile_product(server: RedisServer, framework: str, workload: Workload,
                          warmup: Workload) -> dict[str, Any]:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"error": "pyinstrument is not installed"}
    product = Product(server, framework)
    await server.clean()
    await product.start()
    try:
        await feed_all(product, warmup, first_update_id=1_000)
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        fed = await feed_all(product, workload, first_update_id=100_000_000)
        session = profiler.stop()
    finally:
        await product.stop()
        await server.clean([product.bot_id])
    root = session.root_frame()
    own: dict[tuple[str, str, int], float] = defaultdict(float)
    packages: dict[str, float] = defaultdict(float)
    stack = [root] if root else []
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        if frame.is_synthetic:
            continue
        seconds = frame.total_self_time
        own[(frame.function, frame.file_path_short or "", frame.line_no or 0)] += seconds
        packages[_package(frame.file_path or "")] += seconds
    total = sum(own.values()) or 1.0
    top = sorted(own.items(), key=lambda item: item[1], reverse=True)[:TOP]
    return {
        "framework": framework, "sampled_s": round(total, 3), "updates": len(fed.latencies_ns),
        "top_frames": [{"function": function, "file": path, "line": line, "own_s": round(seconds, 3),
                        "share": round(seconds / total, 4)} for (function, path, line), seconds in top],
        "packages": {name: round(seconds / total, 4)
                     for name, seconds in sorted(packages.items(), key=lambda item: item[1], reverse=True)[:12]},
    }
