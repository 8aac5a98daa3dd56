"""The registration where Redis and HTTP matter: what is stored, and two taps handled at once.

The flow itself — every step, command, refusal, the OTP and the help desk —
is tested over the pure core in tests/conversations (test_flow*.py); what
stays here needs the real store (its sealing of personal data, its lock)
or the sandbox portal over real HTTP.
"""

from __future__ import annotations

import asyncio

from bot.storage.redis_store import document_of
from conversations.dialog import StepName
from conversations.events import Pressed
from tests.citizen import ID_NUMBER, PASSWORD, Citizen, everything_in


async def test_cancel_wipes_personal_data_from_redis(citizen: Citizen) -> None:
    """Personal answers are stored sealed after a newline; /cancel leaves no sealed part behind."""
    await citizen.fill_until(StepName.EMAIL, "en")
    raw_before = document_of(await citizen.assistant.store._redis.get(citizen.key.dialog))
    assert raw_before and b"\n" in raw_before and ID_NUMBER.encode() not in raw_before  # sealed after a newline
    await citizen.send("/cancel")
    assert "deleted everything" in citizen.text
    raw = document_of(await citizen.assistant.store._redis.get(citizen.key.dialog))
    assert b"\n" not in raw  # no sealed personal part left
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.data.is_empty() and dialog.step == StepName.CONSENT
    assert dialog.language == "en"


async def test_password_never_reaches_redis(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.DONE, "en")
    assert PASSWORD.encode() not in await everything_in(citizen.assistant.store._redis)


async def test_double_tap_on_register_sends_one_code(citizen: Citizen) -> None:
    """Two presses handled at once: the dialog's lock lets one submit, the other finds the question moved on."""
    await citizen.fill_until(StepName.REVIEW, "en")
    first, second = await asyncio.gather(
        citizen.assistant.handle(citizen.key, Pressed("review:submit")),
        citizen.assistant.handle(citizen.key, Pressed("review:submit")),
    )
    assert len(await citizen.sandbox.outbox()) == 1
    texts = [first.replies[-1].text, second.replies[-1].text]
    assert sum("moved on" in text for text in texts) == 1
