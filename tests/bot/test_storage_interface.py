"""The dialog store's users see its interface (bot/storage/dialogs.py), not the Redis module behind it.

Importing the interface loads no Redis client, and outside bot/storage only
the code that builds the runtime (bot/app) names bot.storage.redis_store.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.storage import codec, dialogs

ROOT = Path(__file__).resolve().parents[2]


def test_the_interface_loads_no_redis() -> None:
    probe = ("import sys, bot.storage, bot.storage.dialogs; "
             "loaded = sorted(m for m in sys.modules if m == 'redis' or m.startswith(('redis.', 'bot.storage.redis')));"
             "print(loaded); sys.exit(bool(loaded))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_the_runtime_builds_the_redis_store() -> None:
    naming = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "bot").rglob("*.py")
        if "redis_store" in path.read_text(encoding="utf-8")
        and not path.is_relative_to(ROOT / "bot" / "storage") and not path.is_relative_to(ROOT / "bot" / "app")
    )
    assert naming == []


def test_unreadable_dialog_is_still_found_in_the_codec() -> None:
    assert codec.UnreadableDialog is dialogs.UnreadableDialog
