"""Two `regbot run` workers serving one Zalo OA, each its own process, on one Redis, against the fake OA and the
sandbox portal: the single-use refresh token rotated once when both find the access token refused at once, and an
event whose worker was SIGKILLed after its 200 taken over by the other, live worker and answered once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import orjson
import pytest
from redis.asyncio import Redis

from bot.app.zalo_channel import TOKENS_PURPOSE
from bot.channels.zalo.payloads import press_payload
from bot.storage.codec import load_keys
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer
from tests.botprocess import BotProcess, free_port
from tests.citizen import BIRTH, ID_NUMBER, NAME, PHONE, PHONE_E164, Sandbox
from tests.fakezalo import APP_ID, APP_SECRET, OA_SECRET_KEY, FakeZaloOA
from tests.zalo.test_regbot_run import DEADLINE, ZaloCitizen, on_port, zalo_env

REFRESH = "/v4/oa/access_token"
# Zalo user ids as Zalo gives them: 16 to 19 digits, long enough that only the log filter keeps them out of logs
ANH, BINH, CHI = "2512523625412515901", "8435118290541771", "7024985362180443"
SEND = "/v3.0/oa/message/cs"

Workers = Callable[[int], Awaitable[list[BotProcess]]]


class Citizen(ZaloCitizen):
    """A citizen in their Zalo app whose events the load balancer sends to `worker`."""

    def __init__(self, oa: FakeZaloOA, redis: Redis, user_id: str, worker: BotProcess) -> None:
        super().__init__(oa, redis, user_id)
        self.worker = worker

    def _to_worker(self) -> None:
        self.oa.webhook_url = f"http://127.0.0.1:{self.worker.port}/zalo/webhook"

    async def text(self, text: str) -> None:
        self._to_worker()
        await self.oa.text(self.user, text)

    async def press(self, button_id: str) -> None:
        self._to_worker()
        await self.oa.press(self.user, press_payload(button_id))

    async def follow(self) -> None:
        self._to_worker()
        await self.oa.follow(self.user)

    async def submit_phone(self, phone: str) -> None:
        self._to_worker()
        await self.oa.submit_info(self.user, phone)


@pytest.fixture
async def oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as oa:
        yield oa


@pytest.fixture
async def workers(oa: FakeZaloOA, redis_url: str, sandbox: Sandbox, tmp_path: Path,
                  redis: Redis) -> AsyncIterator[Workers]:
    """Starts `regbot run` workers for one OA (one Redis, one encryption key, a port each), stopped after."""
    started: list[BotProcess] = []
    shared = zalo_env(oa, redis_url, sandbox, tmp_path)

    async def start(count: int, **env: str) -> list[BotProcess]:
        processes = await asyncio.gather(*(BotProcess(shared | on_port(free_port()) | env, webhook=False)
                                           .start() for _ in range(count)))
        started.extend(processes)
        return list(processes)

    yield start
    for process in started:
        await process.stop()
        if os.environ.get("SHOW_BOT_LOG"):
            print(await process.output())


def refuse_access_tokens(oa: FakeZaloOA, code: int) -> None:
    """Every access token handed out so far is refused: past its expiry (-220), or unknown to Zalo (-216)."""
    tokens = oa.world.tokens.access
    for token in list(tokens):
        if code == -220:
            tokens[token] = oa.clock()
        else:
            del tokens[token]


def token_sealer(worker: BotProcess) -> Sealer:
    """How the workers seal the OA's token pair in Redis (their DIALOG_ENCRYPTION_KEY, the pair's purpose)."""
    return Sealer(load_keys(worker.env["DIALOG_ENCRYPTION_KEY"], Path(worker.env["DATA_DIR"])), TOKENS_PURPOSE)


def refreshes(oa: FakeZaloOA) -> list[int]:
    """The error code the fake OAuth answered each refresh that reached it (0: a new pair)."""
    return [code for path, code in oa.calls if path == REFRESH]


@pytest.mark.parametrize("refused", [-220, -216], ids=["expired", "invalid"])
async def test_two_workers_finding_the_access_token_refused_at_once_rotate_the_refresh_token_once(
    oa: FakeZaloOA, workers: Workers, redis: Redis, refused: int,
) -> None:
    one, two = await workers(2)
    anh = Citizen(oa, redis, ANH, one)
    binh = Citizen(oa, redis, BINH, two)
    await anh.follow()
    await binh.follow()
    for citizen in (anh, binh):  # each worker has sent with the pair the first refresh made
        assert (await citizen.answers())[-1].buttons[0].payload == "#btn:consent:agree"
    assert refreshes(oa) == [0]

    issued_access: set[str] = set()
    oa.refresh_delay = 0.5  # a refresh under way while the other worker finds the token refused too
    for rotation, (first, second) in enumerate([(anh, binh), (binh, anh)], start=2):
        issued_access |= set(oa.world.tokens.access)  # for the log's check, before -216 makes Zalo forget them
        refuse_access_tokens(oa, refused)
        refused_before = oa.calls.count((SEND, refused))
        step = "consent:agree" if rotation == 2 else "subject:citizen"
        await first.press(step)  # both events in hand at once, one in each worker
        await second.press(step)
        for citizen in (anh, binh):
            answers = await citizen.answers()
            assert answers and answers[-1].text, f"{citizen.user} got no answer in rotation {rotation}"
        assert oa.calls.count((SEND, refused)) - refused_before == 2  # each worker met the refused token
        assert refreshes(oa) == [0] * rotation  # one refresh per rotation, and the chain goes on
    assert oa.world.tokens.refused_refreshes == 0
    stored = orjson.loads(token_sealer(one).open(await redis.get(ZaloKeys(APP_ID).tokens)))
    assert stored["refresh"] in oa.world.tokens.refresh  # the pair every worker reads holds the unspent token
    assert "6. VNeID" in (oa.sent_to(anh.user)[-1].text)  # the method question: both went on
    assert "6. VNeID" in (oa.sent_to(binh.user)[-1].text)

    for typed, next_step in (("1", "Bước 1/8"), (ID_NUMBER, "Bước 2/8"), (NAME, "Bước 3/8")):
        await binh.text(typed)  # and what they typed stays out of the logs
        await binh.told(next_step)
    for worker in (one, two):
        await worker.stop()
    issued = [*issued_access, *oa.world.tokens.access, *oa.world.tokens.refresh, *oa.world.tokens.spent]
    logged = await one.output() + await two.output()
    assert "access token refreshed" in logged
    for secret in (*issued, APP_SECRET, OA_SECRET_KEY, ID_NUMBER, NAME, PHONE, PHONE_E164):
        assert secret not in logged, secret
    assert_unnamed(logged, ANH, BINH)


def assert_unnamed(logged: str, *user_ids: str) -> None:
    """No Zalo user id in the log but masked (its last 3 digits at most), where their dialog's moves are logged."""
    for user_id in user_ids:
        assert user_id[:-3] not in logged, f"Zalo user {user_id} named in the log"
        assert f"{'*' * (len(user_id) - 3)}{user_id[-3:]} moved" in logged  # logged, and masked


async def until_review(citizen: Citizen) -> None:
    """From the follow to the review of the answers, each step answered before the next."""
    await citizen.follow()
    await citizen.answers()
    for button in ("consent:agree", "subject:citizen"):
        await citizen.press(button)
        await citizen.answers()
    for answer in ("1", ID_NUMBER, NAME, BIRTH):
        await citizen.text(answer)
        await citizen.answers()
    await citizen.submit_phone(PHONE_E164.removeprefix("+"))
    await citizen.answers()
    await citizen.press("email:skip")
    assert "Đăng ký" in (await citizen.answers())[-1].text


async def test_an_event_whose_worker_is_killed_after_its_200_is_taken_over_by_a_live_worker_and_answered_once(
    oa: FakeZaloOA, workers: Workers, redis: Redis, sandbox: Sandbox,
) -> None:
    """The worker answered Zalo's 200 (the event is in the inbox, in its name) and is killed while the portal
    holds its registration: the other worker, running all along, takes the event over once the dead one's
    heartbeat has run out, without a restart and without Zalo delivering it again."""
    one, two = await workers(2, PORTAL_TIMEOUT="2", DIALOG_LOCK_TTL="8")
    citizen = Citizen(oa, redis, CHI, one)
    await until_review(citizen)
    await sandbox.arm_fault(operation="submit", delay=8)  # registered at once, its answer held back
    await citizen.text("Đăng ký")  # answered 200 by worker one, which is then handling it
    async with asyncio.timeout(DEADLINE):
        while not (await sandbox.calls()).get("submit"):
            await asyncio.sleep(0.02)
    one.kill()
    assert one.process is not None
    await one.process.wait()
    assert await redis.hlen(ZaloKeys(APP_ID).inbox) == 1  # kept, not handled, and Zalo will not send it again
    delivered = len(oa.deliveries)

    otp = await citizen.told("Bước 7/8")
    assert len(oa.deliveries) == delivered
    assert "taken over" in await two.output()
    await citizen.answers()  # out of the inbox once handled
    assert sum("Bước 7/8" in message.text for message in oa.sent_to(citizen.user)) == 1, otp
    assert len(await sandbox.outbox()) == 1  # registered once, one SMS

    citizen.worker = two  # the balancer sends the citizen to the live worker now
    await citizen.text(await sandbox.last_code())
    assert "Bước 8/8" in (await citizen.told("Bước 8/8")).text
    await two.stop()
    assert_unnamed(await one.output() + await two.output(), CHI)
