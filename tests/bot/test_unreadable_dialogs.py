"""A dialog document that cannot be read restarts cleanly, the citizen told, and nothing of it is logged.

Whatever is wrong with it — not JSON, values that fail validation, a seal no configured key opens —
it is `UnreadableDialog`, whose message names error types and counts only (pydantic's own message
quotes the values: a name, a birth date). Handling starts a fresh dialog that replaces it; the
lock-free read used by views raises `UnreadableDialog`, never a `ValidationError`.
"""

from __future__ import annotations

import logging
import traceback

import pytest
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.core.texts import DIALOG_UNREADABLE
from bot.storage import DialogCodec, DialogKey, UnreadableDialog, load_readable
from bot.storage.redis_store import RedisDialogStore
from conversations.dialog import StepName
from conversations.events import Command
from tests.citizen import Citizen
from tests.forged import invalid_values

NAME = "Trần Thị Ngọc Hạnh"
BIRTH = "17/08/1993"
KEYS = [Fernet.generate_key()]
PERSONAL = {"full_name": [NAME], "birth_date": BIRTH}  # a list where a string belongs; a date not in ISO form

BROKEN = {
    "invalid values": invalid_values(KEYS, PERSONAL),
    "not JSON": f'{{"full_name": "{NAME}"'.encode(),
    "not an object": f'["{NAME}"]'.encode(),
    "not UTF-8": b"\xff" + NAME.encode(),
    "an unknown field": invalid_values(KEYS, {"ho_ten": NAME}),
}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_a_document_that_cannot_be_read_is_unreadable_and_says_nothing_of_its_values(raw: bytes) -> None:
    with pytest.raises(UnreadableDialog) as raised:
        DialogCodec(KEYS).decode(raw)
    shown = "".join(traceback.format_exception(raised.value))  # what log.exception would write, causes and all
    assert NAME not in shown and BIRTH not in shown and "1993" not in shown


def test_invalid_values_are_counted_by_type() -> None:
    with pytest.raises(UnreadableDialog, match=r"2 invalid field\(s\): date_from_datetime_parsing, string_type"):
        DialogCodec(KEYS).decode(invalid_values(KEYS, PERSONAL))


async def test_the_lock_free_read_raises_unreadable_not_a_validation_error(redis: Redis) -> None:
    store, key = RedisDialogStore(redis, DialogCodec(KEYS)), DialogKey("test", "1", "1")
    await redis.set(key.dialog, invalid_values(KEYS, PERSONAL))
    with pytest.raises(UnreadableDialog):
        await store.load(key)
    assert await load_readable(store, key) is None  # what views (the card, the password form) see


async def test_a_broken_dialog_restarts_with_the_citizen_told_and_is_replaced(
    redis: Redis, catalogs: Catalogs, sandbox: object, caplog: pytest.LogCaptureFixture,
) -> None:
    store = RedisDialogStore(redis, DialogCodec(KEYS))
    citizen = Citizen(Assistant(store, None, catalogs), sandbox)  # type: ignore[arg-type]  # no portal call
    await redis.set(citizen.key.dialog, invalid_values(KEYS, PERSONAL))
    caplog.set_level(logging.DEBUG)

    await citizen.send("/start")

    told = citizen.last.replies if citizen.last else ()
    assert told[0].text == catalogs.render(DIALOG_UNREADABLE, "vi")  # first, why it starts over
    assert len(told) > 1  # then the start of a registration
    dialog = await citizen.dialog()  # the broken document is replaced by a readable one
    assert dialog is not None and dialog.step is StepName.CONSENT
    await citizen.send(Command("help"))
    assert citizen.text != catalogs.render(DIALOG_UNREADABLE, "vi")  # told once
    assert "unreadable (2 invalid field(s)" in caplog.text
    assert NAME not in caplog.text and BIRTH not in caplog.text
