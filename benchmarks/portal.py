"""The sandbox portal in process, as the benchmark uses it: it now lives in `bot.portal.in_process`, where the
tests of the flow (tests/conversations) import it too; this name stays for the benchmark's imports."""

from __future__ import annotations

from bot.portal.in_process import InProcessPortal

__all__ = ["InProcessPortal"]
