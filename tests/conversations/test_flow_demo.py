"""On the sandbox portal (a demonstration), every citizen is told at the start that no real account will be made.

Channel-neutral: the assistant's context says `demo`, the consent question
carries the notice, so Telegram, the console and any later channel show it alike.
"""

from __future__ import annotations

import pytest

from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from conversations.dialog import Language, StepName
from conversations.events import Pressed
from tests.clock import ManualClock
from tests.conversations.harness import Citizen

NOTICE: dict[Language, str] = {
    "en": "This is a demonstration: I am connected to a test portal, not to dichvucong.gov.vn, so no real account "
          "will be created.",
    "vi": "Đây là bản trình diễn: tôi đang kết nối với một cổng thử nghiệm, không phải dichvucong.gov.vn, nên sẽ "
          "không có tài khoản thật nào được tạo.",
}


@pytest.fixture
def visitor(sandbox_portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock) -> Citizen:
    """A citizen of an assistant running on the sandbox portal."""
    return Citizen(sandbox_portal, catalogs, clock, demo=True)


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_a_demonstration_says_so_before_asking_for_consent(visitor: Citizen, language: Language) -> None:
    await visitor.start(language)
    assert visitor.step() is StepName.CONSENT
    paragraphs = visitor.reply.paragraphs
    notice = next(index for index, paragraph in enumerate(paragraphs) if NOTICE[language] in paragraph)
    assert notice < len(paragraphs) - 1  # before the question, not after it
    assert NOTICE["en" if language == "vi" else "vi"] not in visitor.text


async def test_the_first_message_of_any_kind_gets_the_notice(visitor: Citizen) -> None:
    """A citizen who says "hello" rather than /start meets the consent question, notice included."""
    await visitor.send("xin chào")
    assert NOTICE["vi"] in visitor.text


async def test_the_notice_is_not_repeated_past_consent(visitor: Citizen) -> None:
    await visitor.start("en")
    await visitor.send(Pressed("consent:agree"))
    assert NOTICE["en"] not in visitor.text


async def test_the_real_portal_shows_no_notice(citizen: Citizen) -> None:
    await citizen.start("en")
    assert "demonstration" not in citizen.text
