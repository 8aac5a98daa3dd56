"""Redis key names are pinned: deployed data lives under them, and they are built in bot/storage/keys.py alone.

A name changed by accident loses every dialog, case or counter stored under
the old one (and a hash tag moved out of its braces splits a dialog from its
lock in Redis Cluster: tests/bot/test_key_slots.py hashes them), so each kind of key is spelt out here in full. The
last test keeps the rule that no other module of the bot spells a key.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage import keys
from bot.storage.keys import (
    ASSIST_LINKS,
    AUDIT_STREAM,
    PASSWORD_LINKS,
    REGISTRATION_QUOTAS,
    DeskKeys,
    DialogKey,
    ZaloKeys,
    idle_dialogs,
    message_budget,
    password_form_attempts,
    polling_inbox,
    registration_quota,
    registration_quota_hour,
)

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_a_dialog_s_keys_share_one_hash_tag() -> None:
    key = DialogKey("7001", "-1002003", "42")
    assert key.dialog == "regbot:{7001:-1002003:42}:dialog"
    assert key.lock == "regbot:{7001:-1002003:42}:lock"
    assert key.handled == "regbot:{7001:-1002003:42}:handled"
    assert key.unsent == "regbot:{7001:-1002003:42}:unsent"
    assert key.blocked == "regbot:{7001:-1002003:42}:blocked"
    assert key.interacted == "regbot:{7001:-1002003:42}:interacted"
    assert key.numbered == "regbot:{7001:-1002003:42}:numbered"
    assert key.message_rate == "regbot:{7001:-1002003:42}:rate"
    assert key.password_link == "regbot:{7001:-1002003:42}:pwlink"
    assert key.assist_link == "regbot:{7001:-1002003:42}:assistlink"
    assert key.idle == idle_dialogs("7001") == "regbot:idle:7001"  # on its own, in its own slot
    assert key.member == "-1002003:42"
    assert DialogKey("7001", "42", "42").dialog == "regbot:{7001:42:42}:dialog"
    assert DialogKey("7001", "42", "42").member == "42"
    assert DialogKey.of_member("7001", "42") == DialogKey("7001", "42", "42")
    assert DialogKey.of_member("7001", "-1002003:42") == key


def test_links() -> None:
    assert PASSWORD_LINKS == "regbot:pwlink:"
    assert ASSIST_LINKS == "regbot:assist:"
    assert DialogKey("1", "2", "3").links == (("regbot:{1:2:3}:pwlink", "regbot:pwlink:"),
                                              ("regbot:{1:2:3}:assistlink", "regbot:assist:"))


def test_the_bot_s_own_keys() -> None:
    assert polling_inbox(123456789) == polling_inbox("123456789") == "regbot:inbox:123456789"
    assert message_budget(123456789) == "regbot:budget:123456789"
    assert password_form_attempts("nonce", "abc") == "regbot:pwlimit:nonce:abc"
    assert password_form_attempts("ip", "203.0.113.9") == "regbot:pwlimit:ip:203.0.113.9"
    assert password_form_attempts("ip", "2001:db8:1:2::/64") == "regbot:pwlimit:ip:2001:db8:1:2::/64"
    assert AUDIT_STREAM == "regbot:audit"


def test_registration_quotas_share_one_hash_tag() -> None:
    assert REGISTRATION_QUOTAS == "regbot:quota:{registrations}"
    assert registration_quota("user", "p1") == "regbot:quota:{registrations}:user:p1"
    assert registration_quota("id", "p2") == "regbot:quota:{registrations}:id:p2"
    assert registration_quota("phone", "p3") == "regbot:quota:{registrations}:phone:p3"
    assert registration_quota_hour(493_170, 15) == "regbot:quota:{registrations}:h:493170:15"


def test_help_desk_keys() -> None:
    desk = DeskKeys(77)
    assert desk == DeskKeys(77)
    assert desk.case("12") == "regbot:desk:{77}:case:12"
    assert desk.citizen(DialogKey("77", "6001", "6002")) == "regbot:desk:{77}:citizen:6001:6002"
    assert desk.citizen(DialogKey("zalo:99", "6001", "6002")) == "regbot:desk:{77}:citizen:zalo:99:6001:6002"
    assert desk.topic(345) == "regbot:desk:{77}:topic:345"
    assert desk.assisting(901) == "regbot:desk:{77}:assisting:901"
    assert desk.copies("12") == "regbot:desk:{77}:copies:12"
    assert desk.waiting == "regbot:desk:{77}:waiting"
    assert desk.seq == "regbot:desk:{77}:seq"
    assert desk.staff == "regbot:desk:{77}:staff"
    assert desk.tagged_since == "regbot:desk:{77}:tagged"


def test_help_desk_keys_from_before_the_tag_are_renamed_by_their_prefix() -> None:
    desk = DeskKeys(77)
    assert desk.untagged_prefix == "regbot:desk:77:"
    assert desk.tagged("regbot:desk:77:case:12") == desk.case("12")
    assert desk.tagged("regbot:desk:77:citizen:zalo:99:6001:6002") == desk.citizen(DialogKey("zalo:99", "6001", "6002"))
    assert desk.tagged("regbot:desk:77:seq") == desk.seq


def test_a_zalo_oa_s_keys_share_its_app_s_hash_tag() -> None:
    oa = ZaloKeys("1234567890")
    assert oa.tokens == "regbot:zalo:{1234567890}:tokens"
    assert oa.token_lock == "regbot:zalo:{1234567890}:tokens:lock"
    assert oa.inbox == "regbot:zalo:{1234567890}:inbox"
    assert oa.inbox_owners == "regbot:zalo:{1234567890}:inbox:owners"
    assert oa.seen("a1b2") == "regbot:zalo:{1234567890}:seen:a1b2"


def test_no_module_but_keys_spells_a_key() -> None:
    home = Path(keys.__file__).resolve()
    spelt = [
        f"{path.relative_to(BOT.parent)}:{number}"
        for path in sorted(BOT.rglob("*"))
        if path.is_file() and path != home and "__pycache__" not in path.parts
        for number, line in enumerate(path.read_bytes().splitlines(), 1)
        if b"regbot:" in line
    ]
    assert BOT.is_dir() and home.is_relative_to(BOT)
    assert not spelt, "Redis key names are built in bot/storage/keys.py alone; found 'regbot:' at " + ", ".join(spelt)
