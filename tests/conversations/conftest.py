"""The flow over the pure core: a citizen whose dialog lives in memory, the sandbox portal's rules in process.

`citizen` and `helped` have the names the Redis-level fixtures have (tests/conftest.py), so tests read alike at
both levels; here neither Redis nor HTTP is started.
"""

from __future__ import annotations

import pytest

from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from tests.clock import ManualClock
from tests.conversations.harness import Citizen


@pytest.fixture
def sandbox_portal(clock: ManualClock) -> InProcessPortal:
    """The sandbox portal's rules, on the test's clock: expiries and cooldowns move only when the test says."""
    return InProcessPortal(clock)


@pytest.fixture
def citizen(sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock) -> Citizen:
    """A citizen of an assistant with no help desk behind it (as the console, and `Assistant`'s default)."""
    return Citizen(sandbox_portal, catalogs, clock)


@pytest.fixture
def helped(sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock) -> Citizen:
    """A citizen of an assistant with a help desk behind it."""
    return Citizen(sandbox_portal, catalogs, clock, help_desk=True)
