"""Every script and transaction touches keys of one Redis Cluster slot: checked by hashing the names, no server.

Redis Cluster refuses (CROSSSLOT) a script or a MULTI whose keys lie in more
than one of its 16384 slots. A slot is the CRC16 of the key's hash tag (what
is between its first braces), so the rule holds for every id when each key
list below carries one tag; the sample ids cover a private chat, a group
member, another channel's citizen and ids with the characters that could
upset a tag. tests/bot/test_cluster.py runs the same parts on a real cluster.
"""

from __future__ import annotations

import pytest
from redis.crc import key_slot

from bot.storage import Tally
from bot.storage.keys import DeskKeys, DialogKey, ZaloKeys, registration_quota, registration_quota_hour
from bot.storage.redis_store import erase_keys, lock_keys, save_keys

DIALOGS = [
    DialogKey("7001", "42", "42"),
    DialogKey("7001", "-1002003", "42"),
    DialogKey("zalo:99", "z-1001", "z-1001"),
    DialogKey("console", "local", "local"),
    DialogKey("7001", "a}b", "{c"),
]


def slots(keys: list[str]) -> set[int]:
    return {key_slot(key.encode()) for key in keys}


@pytest.mark.parametrize("key", DIALOGS, ids=str)
def test_each_dialog_script_touches_one_slot(key: DialogKey) -> None:
    tally = Tally(key.message_rate, 60_000)
    assert len(slots(lock_keys(key, tally))) == 1
    assert slots(lock_keys(key)) == slots(save_keys(key)) == slots(erase_keys(key)) == slots(lock_keys(key, tally))
    assert len(erase_keys(key)) == 6 + len(key.links)  # every key it touches is passed in KEYS


def test_dialogs_spread_over_slots() -> None:
    """The tag is the dialog's own, not one shared by all: a cluster shares the dialogs between its primaries."""
    assert len({key_slot(DialogKey("7001", str(user), str(user)).dialog.encode()) for user in range(100)}) > 90


@pytest.mark.parametrize("bot", [7001, "7001", 123456789])
def test_a_help_desk_s_keys_share_its_bot_s_slot(bot: int | str) -> None:
    """`CaseStore.save` and `forget` change a case, its pointers and the waiting set in one transaction."""
    desk = DeskKeys(bot)
    keys = [desk.case("12"), desk.copies("12"), desk.topic(345), desk.assisting(901), desk.waiting, desk.seq,
            desk.staff, desk.tagged_since, *(desk.citizen(key) for key in DIALOGS)]
    assert len(slots(keys)) == 1
    assert slots(keys) != slots([DeskKeys(f"{bot}0").case("12")])


def test_the_registration_quotas_counted_together_share_one_slot() -> None:
    """One script checks the user's, the ID's and the phone's counters at once, in a day's hours."""
    assert len(slots([*(registration_quota(kind, name) for kind in ("user", "id", "phone")
                        for name in ("p1", "Zm9vYmFy", "a}b")),
                      *(registration_quota_hour(hour, shard) for hour in range(493_000, 493_025)
                        for shard in range(16))])) == 1


def test_a_zalo_oa_s_keys_share_one_slot() -> None:
    """The token pair with its lock, and the webhook's inbox with its owners and the ids seen, change together."""
    oa = ZaloKeys("1234567890123456789")
    assert len(slots([oa.tokens, oa.token_lock, oa.inbox, oa.inbox_owners, oa.seen("a}b"), oa.seen("f00")])) == 1
