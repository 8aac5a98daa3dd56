"""The dialogs a worker keeps decoded hold a citizen's personal data in its memory: never for long after use."""

from __future__ import annotations

from bot.storage.decoded import KEPT_FOR, DecodedDialogs
from bot.storage.keys import DialogKey
from conversations.dialog import Dialog
from tests.citizen import NAME

AN = DialogKey("test", "1", "1")
BINH = DialogKey("test", "2", "2")
DIALOG = Dialog().with_data(full_name=NAME)


def test_a_dialog_in_use_is_kept_and_one_unused_for_a_quarter_hour_is_let_go() -> None:
    now = [0.0]
    decoded = DecodedDialogs(clock=lambda: now[0])
    decoded.keep(AN, b"doc", DIALOG)
    now[0] = KEPT_FOR - 1
    assert decoded.get(AN, b"doc") is DIALOG  # a citizen still answering: their use keeps it
    now[0] += KEPT_FOR - 1
    assert decoded.get(AN, b"doc") is DIALOG
    now[0] += KEPT_FOR + 1
    assert decoded.get(AN, b"doc") is None  # decoded from Redis again, as any other worker would
    assert AN not in decoded


def test_a_quiet_worker_lets_go_of_the_dialogs_it_has_not_used_when_it_sweeps() -> None:
    now = [0.0]
    decoded = DecodedDialogs(clock=lambda: now[0])
    decoded.keep(AN, b"an", DIALOG)
    now[0] = 600.0
    decoded.keep(BINH, b"binh", DIALOG)
    now[0] = KEPT_FOR + 300.0
    decoded.sweep()
    assert AN not in decoded and BINH in decoded
    now[0] = KEPT_FOR + 601.0
    decoded.sweep()
    assert BINH not in decoded
