"""Telegram's limits as `Delivery` keeps them, with production's values, on a clock moved by hand.

The end-to-end tests run their bots with small pacing (tests/conftest.py FAST) so as not to wait a
second per message; this is where the real values are held to: one message a second per private chat,
twenty a minute per group, thirty calls a second in all, a button's answer never held back, a 5xx retried
after 0.5 s doubling.
"""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest

from bot.app.settings import Settings
from bot.channels.telegram import delivery as delivery_module
from bot.channels.telegram.actions import Action, AnswerCallback, Result, SendMessage, Transient
from bot.channels.telegram.delivery import Delivery


class Clock:
    """`time.monotonic` and `asyncio.sleep` for the delivery module: sleeping moves the time on at once."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


class Telegram:
    """Records when each call was made; fails the first `failures` calls with a 5xx."""

    def __init__(self, clock: Clock, failures: int = 0) -> None:
        self.clock = clock
        self.failures = failures
        self.made: list[tuple[float, Action]] = []

    async def execute(self, action: Action) -> Result:
        self.made.append((self.clock.now, action))
        if self.failures:
            self.failures -= 1
            raise Transient("502 Bad Gateway")
        return len(self.made)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    clock = Clock()
    monkeypatch.setattr(delivery_module, "time", types.SimpleNamespace(monotonic=clock.monotonic))
    monkeypatch.setattr(delivery_module, "asyncio", types.SimpleNamespace(sleep=clock.sleep))
    yield clock


def production(telegram: Telegram) -> Delivery:
    """A delivery configured as `regbot run` does (bot/app/serve.py) from the default settings."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.telegram_chat_interval, settings.telegram_retry_backoff) == (1.0, 0.5)

    async def on_blocked(chat_id: int) -> None:
        raise AssertionError("not blocked")

    return Delivery(telegram, on_blocked, rate=settings.telegram_rate, chat_interval=settings.telegram_chat_interval,
                    group_interval=60.0 / settings.telegram_group_rate, backoff=settings.telegram_retry_backoff)


async def test_one_message_a_second_per_chat_twenty_a_minute_per_group_answers_at_once(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    start = clock.now
    await delivery.deliver(7, [SendMessage(7, "1"), SendMessage(7, "2"), AnswerCallback("q"), SendMessage(7, "3")])
    await delivery.deliver(8, [SendMessage(8, "x")])  # chat 7 could have its next message only at 3.0
    await delivery.deliver(-100, [SendMessage(-100, "a"), SendMessage(-100, "b")])
    at = {getattr(action, "text", "answer"): when - start for when, action in telegram.made}
    assert (at["1"], at["2"], at["3"]) == pytest.approx((0.0, 1.0, 2.0))  # a second apart in one private chat
    assert at["answer"] == pytest.approx(1.0)  # answering a press waits for no message slot
    assert at["x"] == pytest.approx(2.0)  # another chat is not held back by chat 7's next slot (3.0)
    assert at["b"] - at["a"] == pytest.approx(3.0)  # 20 a minute in a group


async def test_thirty_calls_a_second_in_all(clock: Clock) -> None:
    telegram = Telegram(clock)
    delivery = production(telegram)
    start = clock.now
    for chat in range(1, 62):
        await delivery.deliver(chat, [SendMessage(chat, "hi")])
    assert [when - start for when, _action in telegram.made] == pytest.approx([n / 30 for n in range(61)])


async def test_a_5xx_is_retried_after_half_a_second_doubling(clock: Clock) -> None:
    telegram = Telegram(clock, failures=3)
    delivery = production(telegram)
    start = clock.now
    await delivery.call(7, AnswerCallback("q"))  # not a message: no chat slot to wait for between tries
    tries = [when - start for when, _action in telegram.made]
    assert tries == pytest.approx([0.0, 0.5, 1.5, 3.5])
