"""On a channel that cannot delete the citizen's message (Zalo), over the pure core: the flow never says it deleted
one, never asks the channel to, and says instead what stays and why that is safe; the code is never echoed.

Telegram's side (the message deleted, "I have deleted that message") is tested in the other test_flow files.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from conversations.dialog import Language, StepName
from conversations.events import PairingStarted, PasswordChosen
from conversations.pairing import PAIRING_TTL, digest
from conversations.replies import Effect
from conversations.step import Context
from tests.citizen import PASSWORD
from tests.clock import ManualClock
from tests.conversations.harness import Citizen
from tests.conversations.test_flow_card_photo import CARD, picture

SINGLE_USE = {"en": "A code works only once and expires within minutes.",
              "vi": "Mỗi mã chỉ dùng được một lần và hết hạn sau vài phút."}
DELETED = {"en": ("deleted",), "vi": ("đã xóa", "đã xoá")}  # what Telegram's chat is told, never said here


class KeepingCitizen(Citizen):
    """A citizen whose channel keeps every message they send (as Zalo's chat does)."""

    def context(self) -> Context:
        return replace(super().context(), deletes_messages=False)


@pytest.fixture
def keeping(sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock) -> KeepingCitizen:
    return KeepingCitizen(sandbox_portal, catalogs, clock)


@pytest.fixture
def helped_keeping(sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock) -> KeepingCitizen:
    return KeepingCitizen(sandbox_portal, catalogs, clock, help_desk=True)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize("language", ["en", "vi"])
async def test_a_typed_code_is_said_to_be_single_use_and_never_echoed(keeping: KeepingCitizen,
                                                                      language: Language) -> None:
    await keeping.fill_until(StepName.OTP, language)
    code = keeping.last_code()
    for typed in (wrong(code), f"{code[:3]} {wrong(code)} {code}", code):  # wrong, which one?, right
        await keeping.send(typed)
        assert SINGLE_USE[language] in keeping.text
        assert not any(word in keeping.text.lower() for word in DELETED[language]) and code not in keeping.text
        assert Effect.FORGET_MESSAGE not in keeping.effects  # nothing asked of a channel that cannot
    assert keeping.step() == StepName.PASSWORD


async def test_a_mistyped_code_is_no_code_and_gets_no_note(keeping: KeepingCitizen) -> None:
    await keeping.fill_until(StepName.OTP, "en")
    await keeping.send("12345")
    assert "exactly 6 digits" in keeping.text and SINGLE_USE["en"] not in keeping.text


@pytest.mark.parametrize("language", ["en", "vi"])
async def test_a_password_typed_in_the_chat_is_to_be_removed_and_not_used(keeping: KeepingCitizen,
                                                                         language: Language) -> None:
    await keeping.fill_until(StepName.PASSWORD, language)
    await keeping.send(PASSWORD)
    said = {"en": "choose a different password", "vi": "chọn một mật khẩu khác"}[language]
    assert said in keeping.text and not any(word in keeping.text.lower() for word in DELETED[language])
    assert PASSWORD not in keeping.text and keeping.effects == ()
    assert keeping.step() == StepName.PASSWORD and not keeping.changed


async def test_the_form_s_pairing_code_typed_is_said_to_be_single_use(keeping: KeepingCitizen,
                                                                      clock: ManualClock) -> None:
    await keeping.fill_until(StepName.PASSWORD, "en")
    await keeping.send(PairingStarted("link", digest("link", "K7P2QX"), clock() + PAIRING_TTL))
    await keeping.send("K7P-2QX")
    assert "right code" in keeping.text and SINGLE_USE["en"] in keeping.text and keeping.effects == ()
    await keeping.send(PasswordChosen(PASSWORD, PASSWORD))
    assert keeping.step() == StepName.DONE


async def test_a_card_photo_is_said_to_stay_and_what_is_kept(keeping: KeepingCitizen) -> None:
    await keeping.fill_until(StepName.ID_NUMBER, "en")
    await keeping.send(picture(CARD))
    assert "does not let me remove your photo" in keeping.text and "Is this right?" in keeping.text
    assert keeping.effects == ()


async def test_a_secret_sent_to_staff_is_withheld_and_not_said_deleted(helped_keeping: KeepingCitizen) -> None:
    await helped_keeping.fill_until(StepName.OTP, "en")
    await helped_keeping.send("/human")
    await helped_keeping.send(helped_keeping.last_code())
    assert "did not pass that on" in helped_keeping.text and "deleted" not in helped_keeping.text
    assert helped_keeping.effects == ()
    await helped_keeping.send(f"mã {helped_keeping.last_code()} không được")
    assert "hid your code" in helped_keeping.text and "deleted" not in helped_keeping.text
    assert helped_keeping.effects == (Effect.RELAY,)
