"""The bot on a real Redis Cluster of three primaries: no script or transaction crosses slots (issue 18, item 4).

A command whose keys lie in two slots fails there with CROSSSLOT, and a
script must run on the primary that holds its keys; a single Redis accepts
both silently. So the parts that touch Redis run here on
tests/cluster_process.py's cluster: the registration through the store, the
assistant and the quota; and the Telegram bot itself, in process and
polling the fake Bot API, through the help desk (take over, hand over, hand
back, close), an assisted registration, a password link and /delete; and
the help desk's keys from before their tag, renamed across slots.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from bot.app.compose import telegram_bot
from bot.app.runtime import running
from bot.app.settings import Settings
from bot.channels.telegram.frameworks import make_adapter
from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.pseudonyms import Pseudonyms
from bot.core.registration_quota import RedisRegistrationQuota, RegistrationLimits
from bot.helpdesk.migration import tag_desk_keys
from bot.portal.client import PortalClient
from bot.storage import DialogCodec
from bot.storage.keys import PASSWORD_LINKS, DeskKeys, DialogKey
from bot.storage.redis_store import RedisDialogStore
from bot.webapp.links import PasswordLinks
from conversations.dialog import StepName
from tests.botprocess import TOKEN
from tests.citizen import Citizen, Sandbox
from tests.clock import ManualClock
from tests.cluster_process import RedisClusterProcess
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_delete import kept_once_settled
from tests.telegram.test_help_desk import Desk, desk, prepare_at_counter, with_staff
from tests.telegram.test_telegram_bot import register_until_otp

__all__ = ["desk"]


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterProcess]:
    """One cluster per pytest process (a session fixture is per xdist worker), emptied before each test."""
    cluster = RedisClusterProcess(tmp_path_factory.mktemp("cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture
async def cluster(redis_cluster: RedisClusterProcess) -> AsyncIterator[RedisCluster]:
    redis_cluster.flush()
    client = redis_cluster.client()
    yield client
    await client.aclose()


async def test_a_registration_from_start_to_done(
    cluster: RedisCluster, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs, clock: ManualClock,
    sandbox: Sandbox,
) -> None:
    """Lock and load, save with the idle set beside, the reminder's pick, the quota's hour, password
    links, /delete."""
    store = RedisDialogStore(cluster, codec, idle_after=0.0)  # type: ignore[arg-type]
    quota = RedisRegistrationQuota(cluster, Pseudonyms(b"cluster"), RegistrationLimits())  # type: ignore[arg-type]
    citizen = Citizen(Assistant(store, portal, catalogs, clock, quota=quota.for_dialog), sandbox)
    assert key_slot(citizen.key.dialog.encode()) != key_slot(citizen.key.idle.encode())  # a real test of the split

    await citizen.fill_until(StepName.DONE, "en")
    assert "account is ready" in citizen.text
    assert await store.take_idle(citizen.key.bot) == [citizen.key]  # for the reminder, from its own slot
    assert len(await cluster.keys("regbot:quota:*", target_nodes=RedisCluster.PRIMARIES)) <= 3  # the hour's

    second = Citizen(citizen.assistant, sandbox, user="43")
    await second.fill_until(StepName.PASSWORD, "en")
    links = PasswordLinks(cluster, Pseudonyms(b"cluster"))  # type: ignore[arg-type]
    first_nonce = await links.issue(second.key, "en")
    nonce = await links.issue(second.key, "en")  # a newer link kills the one before
    assert await links.peek(first_nonce) is None and await links.peek(nonce) is not None
    await second.send("/delete")
    assert await second.dialog() is None
    assert await links.peek(nonce) is None  # its record, in another slot, went with the dialog
    assert await cluster.zscore(second.key.idle, second.key.member) is None


@pytest.fixture
async def bot_on_cluster(
    fake_api: FakeBotAPI, desk: Desk, sandbox: Sandbox, tmp_path: Path, redis_cluster: RedisClusterProcess,
    cluster: RedisCluster,
) -> AsyncIterator[RedisCluster]:
    """`regbot run`'s parts, polling the fake Bot API, on the cluster (named by one of its nodes, as an
    operator's REDIS_URL would), with the help desk in `desk`'s group."""
    settings = Settings(
        _env_file=None, redis_url=f"redis+cluster://127.0.0.1:{redis_cluster.ports[0]}",  # type: ignore[call-arg]
        portal_url=sandbox.url, data_dir=tmp_path, dialog_encryption_key=Fernet.generate_key().decode(),
        telegram_api_url=fake_api.base_url, staff_chat_id=desk.group.chat_id, telegram_chat_interval=0.0,
        telegram_group_rate=6000, telegram_retry_backoff=0.05)
    adapter = make_adapter("ptb", TOKEN, fake_api.base_url)
    try:
        async with running(settings) as runtime:
            bot = telegram_bot(settings, runtime, adapter, await adapter.me(), TOKEN)
            polling = asyncio.create_task(bot.front.poll(adapter, adapter.parse_update, runtime.redis, runtime.inbox))
            yield cluster
            bot.front.stop_polling()
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
    finally:
        await adapter.close()


async def test_the_help_desk_takes_over_hands_over_hands_back_and_closes(
    fake_api: FakeBotAPI, desk: Desk, bot_on_cluster: RedisCluster,
) -> None:
    citizen = TelegramCitizen(fake_api, user_id=2001)
    topic = await with_staff(citizen, desk)  # /human: the case opened, its topic and card posted

    await desk.minh.send_text(topic, "Chào anh, tôi là cán bộ hỗ trợ.")  # the first message claims the case
    await citizen.wait_for_reply("Chào anh, tôi là cán bộ hỗ trợ.")
    await desk.lan.send_text(topic, "Để em xem")  # not hers: told so, in the topic
    await desk.lan.wait_for_post(topic, "Chưa gửi cho công dân")
    await desk.minh.send_command(topic, "/transfer", reply_to=desk.lan.last_message_id)
    await desk.lan.wait_for_post(topic, "từ Minh sang Lan")
    await desk.lan.send_text(topic, "Chào anh, em là Lan.")
    await citizen.wait_for_reply("em là Lan")
    await desk.lan.send_command(topic, "/resume")
    await desk.lan.wait_for_post(topic, "bước nào")
    await desk.lan.press("ngày sinh", topic)
    await citizen.wait_for_reply("quay lại với trợ lý")
    await desk.lan.send_command(topic, "/close")
    await desk.lan.wait_for_post(topic, "đã được Lan đóng")
    await fake_api.wait_until(lambda: True if desk.group.topics()[topic]["closed"] else None, 10)

    await citizen.send_command("/delete")  # the dialog and the case (its topic closed and renamed) are forgotten
    await citizen.wait_for_reply("Tôi đã xóa mọi thông tin")
    assert await kept_once_settled(bot_on_cluster, citizen.user_id) == []  # type: ignore[arg-type]


async def test_an_assisted_registration_and_its_password_link(
    fake_api: FakeBotAPI, desk: Desk, sandbox: Sandbox, bot_on_cluster: RedisCluster,
) -> None:
    token = await prepare_at_counter(desk.minh.private)
    owner = TelegramCitizen(fake_api, user_id=2002)
    await owner.send_command(f"/start {token}")
    await owner.wait_for_reply("Cán bộ đã chuẩn bị")
    await desk.minh.private.wait_for_reply("đã mở đường dẫn")
    await owner.press("Đăng ký")
    await owner.wait_for_reply("Bước 7/8")
    await owner.send_text(await sandbox.last_code())
    await owner.wait_for_reply("Bước 8/8")  # the password form's one-time link issued


    other = TelegramCitizen(fake_api, user_id=2003)
    await register_until_otp(other)
    await other.send_text(await sandbox.last_code())
    await other.wait_for_reply("Bước 8/8")
    assert len(await password_links(bot_on_cluster)) == 2
    await other.send_command("/delete")  # the dialog, its link's record (another slot) and its idle entry
    await other.wait_for_reply("Tôi đã xóa mọi thông tin")
    assert await kept_once_settled(bot_on_cluster, other.user_id) == []  # type: ignore[arg-type]
    assert len(await password_links(bot_on_cluster)) == 1  # the owner's


async def password_links(cluster: RedisCluster) -> list[bytes]:
    return await cluster.keys(PASSWORD_LINKS + "*", target_nodes=RedisCluster.PRIMARIES)  # type: ignore[no-any-return]


async def test_desk_keys_from_before_the_tag_are_moved_across_slots(cluster: RedisCluster) -> None:
    """Data copied to a cluster under the old names (each in a slot of its own) is found on every primary."""
    for number in range(1, 21):
        await cluster.set(f"regbot:desk:77:citizen:{6000 + number}:{6000 + number}", number, ex=1000)
    assert await tag_desk_keys(cluster, 77) == 20  # type: ignore[arg-type]
    case_ids = [await cluster.get(DeskKeys(77).citizen(DialogKey("77", str(6000 + n), str(6000 + n))))
                for n in range(1, 21)]
    assert case_ids == [str(n).encode() for n in range(1, 21)]
    assert not await cluster.keys("regbot:desk:77:*", target_nodes=RedisCluster.PRIMARIES)
