"""Pairing: a password form opened without launch data is bound to the citizen by the code it shows,
sent back in the chat."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversations.dialog import StepName
from conversations.events import PairingStarted
from conversations.pairing import PAIRING_TTL, digest, typed_code
from conversations.replies import Effect
from tests.clock import ManualClock
from tests.conversations.harness import Citizen

LINK = "3f9a1c2e5b7d4f60a1b2c3d4e5f60718"  # a link's name, as Redis knows it
CODE = "K7P2QX"


async def opened_in_a_browser(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.PASSWORD, "en")
    await citizen.send(PairingStarted(LINK, digest(LINK, CODE), clock() + PAIRING_TTL))


async def test_the_citizen_is_asked_for_the_code_the_form_shows(citizen: Citizen, clock: ManualClock) -> None:
    await opened_in_a_browser(citizen, clock)
    assert "opened in a browser" in citizen.text and "type here the code" in citizen.text
    assert not citizen.reply.ask_password  # no new link: that would kill the one the form is waiting on
    assert citizen.dialog.pairing is not None and not citizen.dialog.pairing.confirmed


@pytest.mark.parametrize("typed", ["K7P-2QX", "k7p 2qx", "K7P2QX", "Ｋ７Ｐ－２ＱＸ"])
async def test_the_right_code_lets_the_form_set_the_password(citizen: Citizen, clock: ManualClock, typed: str) -> None:
    await opened_in_a_browser(citizen, clock)
    await citizen.send(typed)
    assert "right code" in citizen.text and not citizen.reply.ask_password
    assert Effect.FORGET_MESSAGE in citizen.effects
    assert citizen.dialog.pairing is not None and citizen.dialog.pairing.confirmed
    assert citizen.step() == StepName.PASSWORD  # the password itself still comes from the form


async def test_a_wrong_code_cancels_the_link_and_gives_a_new_one(citizen: Citizen, clock: ManualClock) -> None:
    await opened_in_a_browser(citizen, clock)
    await citizen.send("ABC-123")
    assert "not the code the form showed" in citizen.text and citizen.reply.ask_password  # a new link kills the old
    assert citizen.dialog.pairing is None and Effect.FORGET_MESSAGE in citizen.effects
    await citizen.send(CODE)  # the right one, too late: nothing is paired any more
    assert "do not type your password" in citizen.text.lower()


async def test_a_code_past_five_minutes_is_refused_with_a_new_link(citizen: Citizen, clock: ManualClock) -> None:
    await opened_in_a_browser(citizen, clock)
    clock.advance((PAIRING_TTL + timedelta(seconds=1)).total_seconds())
    await citizen.send(CODE)
    assert "expired" in citizen.text and citizen.reply.ask_password and citizen.dialog.pairing is None


async def test_a_form_opened_after_the_dialog_moved_on_changes_nothing(citizen: Citizen, clock: ManualClock) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.send(PairingStarted(LINK, digest(LINK, CODE), clock() + PAIRING_TTL))
    assert not citizen.replies and not citizen.changed and citizen.dialog.pairing is None


@pytest.mark.parametrize(("text", "code"), [
    ("K7P-2QX", "K7P2QX"), ("abc123", "ABC123"), ("123456", None), ("Nguyễn", None), ("Sao-Mai#2026", None),
    ("ABC-1234", None), ("", None),
])
def test_what_is_read_as_a_pairing_code(text: str, code: str | None) -> None:
    assert typed_code(text) == code
