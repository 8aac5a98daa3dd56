"""Every command runs on uvloop where it is installed, and on asyncio's own loop where it is not (Windows)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot.app import eventloop


async def running_loop() -> str:
    return eventloop.loop_name(asyncio.get_running_loop())


def test_commands_run_on_uvloop_where_it_is_installed() -> None:
    pytest.importorskip("uvloop")
    assert eventloop.run(running_loop()) == "uvloop"


def test_without_uvloop_the_stock_loop_runs_the_same_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError, as on Windows
    assert eventloop.fast_loop_factory() is None
    assert eventloop.run(running_loop()) == "asyncio"


def test_the_stock_loop_can_be_asked_for() -> None:
    assert eventloop.run(running_loop(), fast=False) == "asyncio"
