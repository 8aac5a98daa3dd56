"""Fixtures for the Zalo channel's parts: the fake OA over real HTTP, on the tests' manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.clock import ManualClock
from tests.fakezalo import FakeZaloOA


@pytest.fixture
async def oa(clock: ManualClock) -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA(clock) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
