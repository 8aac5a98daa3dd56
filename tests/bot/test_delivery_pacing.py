"""Telegram's limits as `Delivery` keeps them, with production's values, on a clock moved by hand.

The end-to-end tests run their bots with small pacing (tests/conftest.py FAST) so as not to wait a
second per message; this is where the real values are held to: a burst of three messages to a chat at
once, then one a second; in a group, then twenty a minute; thirty messages a second in all; a press's
answer, edits and deletions never held back; a 429 waited out; a 5xx retried after 0.5 s doubling.
"""

from __future__ import annotations

import pytest

from bot.app.compose import chat_pacing
from bot.app.settings import Settings
from bot.channels.telegram.actions import (
    Action,
    AnswerCallback,
    ClearKeyboard,
    CopyMessage,
    DeleteMessage,
    EditText,
    Result,
    RetryAfter,
    SendMessage,
    Transient,
)
from bot.channels.telegram.delivery import Delivery
from bot.core.message_budget import BURST_S, MessageBudget, Schedule
from bot.core.pacing import ARRIVAL_MARGIN

START = 1_800_000_000.0


class Clock:
    """The time for pacing and the budget alike: sleeping moves it on at once."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


class SharedCounter(Schedule):
    """The budget's shared schedule, in memory (tests/bot/test_message_budget.py shares a real Redis)."""

    def __init__(self) -> None:
        super().__init__()
        self.leases = 0

    async def lease(self, now: float, count: int, interval: float) -> float:
        self.leases += 1
        return await super().lease(now, count, interval)


class Telegram:
    """Records when each call was made; fails the first `failures` calls with a 5xx, or a 429 of `flood` s."""

    def __init__(self, clock: Clock, failures: int = 0, flood: float | None = None) -> None:
        self.clock = clock
        self.failures = failures
        self.flood = flood
        self.made: list[tuple[float, Action]] = []

    async def execute(self, action: Action) -> Result:
        self.made.append((self.clock.now - START, action))
        if self.flood is not None:
            seconds, self.flood = self.flood, None
            raise RetryAfter(seconds)
        if self.failures:
            self.failures -= 1
            raise Transient("502 Bad Gateway")
        return len(self.made)

    def times(self) -> list[float]:
        return [when for when, _action in self.made]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def production(telegram: Telegram, counter: SharedCounter | None = None) -> Delivery:
    """A delivery paced as `regbot run` paces it (bot/app/compose.py) from the default settings."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.telegram_rate, settings.telegram_chat_burst, settings.telegram_chat_interval,
            settings.telegram_group_rate, settings.telegram_retry_backoff) == (30.0, 3, 1.0, 20.0, 0.5)

    async def on_blocked(chat_id: int) -> None:
        raise AssertionError("not blocked")

    budget = MessageBudget(counter or SharedCounter(), settings.telegram_rate, clock=telegram.clock,
                           sleep=telegram.clock.sleep)
    return Delivery(telegram, on_blocked, chat_pacing(settings), budget, backoff=settings.telegram_retry_backoff,
                    clock=telegram.clock, sleep=telegram.clock.sleep)


async def test_a_burst_goes_at_once_and_the_fourth_message_in_a_chat_waits_a_second(clock: Clock) -> None:
    telegram = Telegram(clock)
    await production(telegram).deliver(7, [SendMessage(7, str(n)) for n in range(5)])
    assert telegram.times() == pytest.approx([0.0, 0.0, 0.0, 1.0 + ARRIVAL_MARGIN, 2.0 + ARRIVAL_MARGIN])


async def test_a_press_is_answered_and_an_edit_made_at_once_even_after_the_burst(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    await delivery.deliver(7, [SendMessage(7, "1"), SendMessage(7, "2"), SendMessage(7, "3")])
    await delivery.deliver(7, [AnswerCallback("q"), EditText(7, 3, "✓ Đồng ý"), ClearKeyboard(7, 2),
                               DeleteMessage(7, 1), SendMessage(7, "4")])
    at = {type(action).__name__: when for when, action in telegram.made}
    assert at == {"AnswerCallback": 0.0, "EditText": 0.0, "ClearKeyboard": 0.0, "DeleteMessage": 0.0,
                  "SendMessage": pytest.approx(1.0 + ARRIVAL_MARGIN)}  # only the fourth message waits, for its slot


async def test_a_citizen_at_human_pace_never_waits(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    press = [AnswerCallback("q"), ClearKeyboard(7, 1), SendMessage(7, "Bước 1/8")]
    phone_step = [SendMessage(7, "✓", None), SendMessage(7, "Bước 5/8"), SendMessage(7, "Email?")]
    for turn, answer in enumerate([press, press, press, [SendMessage(7, "Bước 2/8")], phone_step, press]):
        clock.now = START + 2 * turn  # the citizen answers two seconds after the bot's last message
        await delivery.deliver(7, answer)
        assert telegram.times()[-len(answer):] == [2.0 * turn] * len(answer)


async def test_an_answer_s_messages_cost_one_round_trip_to_the_shared_budget(clock: Clock) -> None:
    telegram, counter = Telegram(clock), SharedCounter()
    delivery = production(telegram, counter)
    await delivery.deliver(7, [SendMessage(7, "✓"), SendMessage(7, "Bước 5/8"), SendMessage(7, "Email?")])
    clock.now += 2
    await delivery.deliver(7, [AnswerCallback("q"), ClearKeyboard(7, 3), SendMessage(7, "Bước 6/8")])
    assert telegram.times() == [0.0, 0.0, 0.0, 2.0, 2.0, 2.0]
    assert counter.leases == 2  # one lease an answer, of the messages it holds


async def test_a_citizen_answering_at_once_waits_only_past_the_burst(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    await delivery.deliver(7, [SendMessage(7, "question")])
    clock.now += 0.2  # a tap right after the question
    await delivery.deliver(7, [AnswerCallback("q"), SendMessage(7, "next question")])
    clock.now += 0.2
    await delivery.deliver(7, [SendMessage(7, "✓"), SendMessage(7, "and the next")])
    assert telegram.times() == pytest.approx([0.0, 0.2, 0.2, 0.4, 1.0 + ARRIVAL_MARGIN])  # the fourth one waits


async def test_chats_do_not_hold_each_other_back_and_a_group_gets_twenty_a_minute(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    await delivery.deliver(7, [SendMessage(7, str(n)) for n in range(4)])
    start = clock.now
    await delivery.deliver(8, [SendMessage(8, "x")])
    assert clock.now == start  # chat 8 went at once
    await delivery.deliver(-100, [CopyMessage(-100, 7, n) for n in range(5)])
    group = [when for when, action in telegram.made if isinstance(action, CopyMessage)]
    late = ARRIVAL_MARGIN
    assert [when - group[0] for when in group] == pytest.approx([0.0, 0.0, 0.0, 3.0 + late, 6.0 + late])  # 60/20 s


async def test_thirty_messages_a_second_in_all_after_half_a_second_s_worth_at_once(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    for chat in range(1, 62):
        await delivery.deliver(chat, [SendMessage(chat, "hi"), AnswerCallback(str(chat))])
    sends = [when for when, action in telegram.made if isinstance(action, SendMessage)]
    assert sends == pytest.approx([max(0.0, (n + 1) / 30 - BURST_S) for n in range(61)], abs=1e-6)
    assert len([action for _when, action in telegram.made if isinstance(action, AnswerCallback)]) == 61


async def test_a_429_waits_what_telegram_asked_and_holds_that_chat(clock: Clock) -> None:
    telegram = Telegram(clock, flood=7.0)
    delivery = production(telegram)
    await delivery.deliver(7, [SendMessage(7, "refused, then sent"), SendMessage(7, "after")])
    assert telegram.times() == [0.0, 7.0, 7.0]


async def test_a_5xx_is_retried_after_half_a_second_doubling(clock: Clock) -> None:
    telegram = Telegram(clock, failures=3)
    await production(telegram).call(7, AnswerCallback("q"))
    assert telegram.times() == [0.0, 0.5, 1.5, 3.5]
