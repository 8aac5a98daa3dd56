"""A fake Zalo Official Account API over real HTTP (tests/fakezalo/server.py), as ../shared/ZALO.md describes it."""

from tests.fakezalo.server import FakeZaloOA, Sent
from tests.fakezalo.world import APP_ID, APP_SECRET, FIRST_REFRESH_TOKEN, OA_ID, OA_SECRET_KEY

__all__ = ["APP_ID", "APP_SECRET", "FIRST_REFRESH_TOKEN", "OA_ID", "OA_SECRET_KEY", "FakeZaloOA", "Sent"]
