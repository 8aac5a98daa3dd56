"""The password form's limits, in process: failures count, per address (IPv6 by its /64), per link and per user;
what is accepted does not, so citizens behind one address are not locked out by each other's successes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.core.answer import Handled
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.pseudonyms import Pseudonyms
from bot.ops.web import create_web_app, parse_networks, serving
from bot.storage import DialogKey
from bot.storage.keys import password_form_attempts
from bot.webapp.attempts import LIMITS, address_block
from bot.webapp.init_data import sign_init_data
from bot.webapp.links import PASSWORD_PAGE, PasswordLinks
from bot.webapp.routes import PasswordForm
from conversations.dialog import Dialog, StepName
from tests.botprocess import TOKEN
from tests.citizen import PASSWORD
from tests.clock import ManualClock

CITIZEN = DialogKey("123456", "3001", "3001")
WAITING = Dialog(step=StepName.PASSWORD)
PER_ADDRESS = LIMITS["ip"][0]



class Status(int):
    """The HTTP status, carrying the message the page shows beside it."""

    message: str


Submit = Callable[..., Awaitable[Status]]


def links(redis: Redis) -> PasswordLinks:
    return PasswordLinks(redis, Pseudonyms(b"tests"))


class AtPasswordStep:
    """The store as the form sees it: every dialog is waiting for its password."""

    async def load(self, key: DialogKey) -> Dialog:
        return WAITING


async def set_password(incoming: Incoming) -> Handled:
    """The switchboard's relay, when the portal takes the password."""
    return Handled((), (), WAITING.at(StepName.DONE), StepName.PASSWORD, True)


async def store_down(incoming: Incoming) -> None:
    """The switchboard's relay when the dialog store failed (the citizen was told in the chat)."""
    return None


@pytest.fixture
async def submit(
    redis: Redis, catalogs: Catalogs, clock: ManualClock, request: pytest.FixtureRequest,
) -> AsyncIterator[Submit]:
    """POST to the form behind a trusted proxy (127.0.0.1), as the citizen at `address`; the status and the
    message shown. Parametrize indirectly with another relay to change what happens behind the form."""
    relay = getattr(request, "param", set_password)
    form = PasswordForm(relay, AtPasswordStep(), links(redis), redis, catalogs, TOKEN,  # type: ignore[arg-type]
                        clock)
    user = json.dumps({"id": int(CITIZEN.user), "first_name": "An"})
    launched = sign_init_data({"user": user, "auth_date": str(int(clock().timestamp()))}, TOKEN)  # inside Telegram
    app = create_web_app(redis, object(), parse_networks("127.0.0.1"))  # type: ignore[arg-type]
    form.mount(app)
    async with serving(app, "127.0.0.1", 0) as port, aiohttp.ClientSession() as session:

        async def post(address: str, nonce: str = "made-up", password: str = PASSWORD) -> Status:
            body: dict[str, Any] = {"nonce": nonce, "init_data": launched, "password": password,
                                    "confirmation": password}
            async with session.post(f"http://127.0.0.1:{port}{PASSWORD_PAGE}", json=body,
                                    headers={"X-Forwarded-For": address}) as response:
                status = Status(response.status)
                status.message = (await response.json()).get("message", "")
                return status

        yield post


async def test_accepted_submissions_do_not_count_against_the_address(submit: Submit, redis: Redis) -> None:
    issued = links(redis)
    for _citizen in range(PER_ADDRESS + 10):  # a commune's office, or a carrier's NAT: one address, many citizens
        assert await submit("203.0.113.7", await issued.issue(CITIZEN, "vi")) == 200
    statuses = [await submit("203.0.113.7") for _attempt in range(PER_ADDRESS + 1)]
    assert statuses == [410] * PER_ADDRESS + [429]  # failures still count


async def test_an_accepted_submission_gives_back_what_it_counted_on_every_scope(submit: Submit, redis: Redis) -> None:
    issued = links(redis)
    nonce = await issued.issue(CITIZEN, "vi")
    for _typo in range(3):
        assert await submit("203.0.113.7", nonce, password="abc") == 422  # refused by the rule: counts
    assert await submit("203.0.113.7", nonce) == 200
    for scope, who in (("ip", "203.0.113.7"), ("link", issued.name(nonce)), ("user", CITIZEN.user)):
        assert await redis.get(password_form_attempts(scope, who)) == b"3", scope


@pytest.mark.parametrize("submit", [store_down], indirect=True)
async def test_a_password_the_dialog_could_not_take_says_so_in_the_citizens_language(
    submit: Submit, redis: Redis,
) -> None:
    status = await submit("203.0.113.7", await links(redis).issue(CITIZEN, "vi"))
    assert status == 503
    assert "Gửi liên kết mới" in status.message  # where to get a new link, in Vietnamese


async def test_ipv6_addresses_are_counted_by_their_64(submit: Submit) -> None:
    for host in range(1, PER_ADDRESS + 1):  # an attacker stepping through their /64
        assert await submit(f"2001:db8:1:2::{host:x}") == 410
    assert await submit("2001:db8:1:2:ffff:ffff:ffff:fffe") == 429
    assert await submit("[2001:db8:1:2::99]:443") == 429  # the same, with the port a proxy appended
    assert await submit("2001:db8:1:3::1") == 410  # the next /64 is someone else


async def test_ipv4_addresses_are_counted_one_by_one(submit: Submit) -> None:
    for _attempt in range(PER_ADDRESS):
        assert await submit("203.0.113.7") == 410
    assert await submit("203.0.113.7:51234") == 429
    assert await submit("::ffff:203.0.113.7") == 429  # the same address, written as IPv6
    assert await submit("203.0.113.8") == 410


@pytest.mark.parametrize(("address", "block"), [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
    ("unknown", "unknown"),
])
def test_the_address_block_counted(address: str, block: str) -> None:
    assert address_block(address) == block
