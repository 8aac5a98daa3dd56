"""Each chat's token bucket (bot/core/pacing.py) with production's defaults, on a clock moved by hand.

A citizen should never notice the pacing: an answer's few messages go at once, and so does the next
answer when it comes right after. Only a chat that keeps sending faster than Telegram's rate waits.
"""

from __future__ import annotations

import pytest

from bot.app.settings import Settings
from bot.core.pacing import ARRIVAL_MARGIN, ChatLimits, ChatPacing

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
CITIZEN, GROUP = 42, -100123


def production() -> ChatPacing:
    limits = ChatLimits(DEFAULTS.telegram_chat_burst, DEFAULTS.telegram_chat_interval, DEFAULTS.telegram_group_rate)
    assert limits == ChatLimits(burst=3, interval=1.0, group_per_minute=20.0)
    return ChatPacing(limits)


def test_three_messages_go_at_once_and_the_fourth_a_second_later() -> None:
    pacing = production()
    late = ARRIVAL_MARGIN  # a message that waited for its slot leaves room for the one before to have arrived late
    assert [pacing.reserve(CITIZEN, 100.0) for _ in range(5)] == pytest.approx(
        [100.0, 100.0, 100.0, 101.0 + late, 102.0 + late])  # the margin never adds up


def test_a_citizen_at_human_pace_never_waits() -> None:
    pacing = production()
    answers = [1, 1, 1, 1, 1, 1, 3, 1, 1, 1]  # the messages of each answer: the phone step's three among them
    for turn, messages in enumerate(answers):  # one answer every two seconds
        now = 100.0 + 2 * turn
        assert [pacing.reserve(CITIZEN, now) for _ in range(messages)] == [now] * messages


def test_an_answer_right_after_the_question_does_not_wait_within_the_burst() -> None:
    pacing = production()
    assert pacing.reserve(CITIZEN, 100.0) == 100.0  # the question
    assert pacing.reserve(CITIZEN, 100.3) == 100.3  # a tap at once: its one-message answer
    assert pacing.reserve(CITIZEN, 100.6) == 100.6  # and again
    assert pacing.reserve(CITIZEN, 100.7) == pytest.approx(101.0 + ARRIVAL_MARGIN)  # a fourth within the second
    # waits for its slot


def test_chats_do_not_hold_each_other_back() -> None:
    pacing = production()
    for _ in range(5):
        pacing.reserve(CITIZEN, 100.0)
    assert pacing.reserve(CITIZEN + 1, 100.0) == 100.0


def test_a_group_gets_a_burst_then_twenty_a_minute_and_never_more_in_any_minute() -> None:
    pacing = production()
    times = [pacing.reserve(GROUP, 100.0) for _ in range(45)]
    assert times[:4] == pytest.approx([100.0, 100.0, 100.0, 103.0 + ARRIVAL_MARGIN])  # a burst, then 60/20 s apart
    assert max(sum(1 for at in times if start <= at < start + 60) for start in times) == 20


def test_a_429_holds_the_chat_for_what_telegram_asked() -> None:
    pacing = production()
    pacing.reserve(CITIZEN, 100.0)
    pacing.hold(CITIZEN, 107.0)
    assert pacing.reserve(CITIZEN, 100.5) == 107.0
    assert pacing.reserve(CITIZEN + 1, 100.5) == 100.5  # other chats go on


def test_idle_chats_are_forgotten() -> None:
    pacing = production()
    for chat in range(10_000):  # a new chat every 10 ms: about a hundred are within their last second
        pacing.reserve(chat, 100.0 + chat / 100)
    assert pacing.tracked() <= 2048
    for group in range(1, 101):  # a group is remembered for the minute its messages count
        pacing.reserve(-group, 300.0 + group)
    pacing.reserve(10_000, 500.0)
    assert pacing.tracked() <= 2048
    assert pacing.reserve(0, 500.0) == 500.0  # a returning chat starts with a full bucket


@pytest.mark.parametrize("limits", [dict(burst=0), dict(interval=-1.0), dict(group_per_minute=0.0)])
def test_impossible_limits_are_refused(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ChatLimits(**limits)  # type: ignore[arg-type]
