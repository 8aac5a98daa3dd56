"""`regbot portal` as a real process: it listens on loopback by default, and its API key guards `/sandbox/*`."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp

from tests.botprocess import ROOT
from tests.citizen import Sandbox

KEY = "portal-s3cret"


async def test_a_portal_with_an_api_key_answers_401_on_its_sandbox_routes_without_it(tmp_path: Path) -> None:
    env = {**{name: value for name, value in os.environ.items() if not name.startswith(("PORTAL", "REGBOT"))},
           "PORTAL_API_KEY": KEY, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "portal", "--port", "0", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            first = (await process.stdout.readline()).decode()
        listening = re.search(r"listening on (http://\S+) ", first)
        assert listening, first
        url = listening.group(1)
        assert url.startswith("http://127.0.0.1:"), first  # not every interface unless --host says so
        async with aiohttp.ClientSession() as http, http.get(url + "/sandbox/outbox") as response:
            assert response.status == 401, await response.text()
        async with Sandbox(url, api_key=KEY) as sandbox:
            assert await sandbox.outbox() == []
    finally:
        process.terminate()
        await process.wait()
