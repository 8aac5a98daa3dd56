"""The help desk's small parts: masking on the card, reading Telegram's refusals, claiming a case once."""

from __future__ import annotations

import asyncio
from datetime import date

from redis.asyncio import Redis

from bot.channels.telegram.actions import Rejected, TopicGone, rejected
from bot.core.i18n import Catalogs
from bot.helpdesk.card import card_text, mask_email, mask_id, mask_name, topic_name
from bot.helpdesk.cases import CaseStore, Status
from bot.storage import DialogKey
from conversations.dialog import Dialog, PersonalData, StepName


def test_masks_keep_too_little_to_identify_anyone() -> None:
    assert mask_id("001090012345") == "****2345"
    assert mask_name("Nguyễn Thị Minh Khai") == "N. T. M. Khai"
    assert mask_name("An") == "An"
    assert mask_email("an.nguyen@gmail.com") == "a***@gmail.com"


async def test_card_shows_masked_fields_and_where_the_citizen_is(redis: Redis, catalogs: Catalogs) -> None:
    case = await CaseStore(redis, 1).open(DialogKey("1", "10", "10"))
    data = PersonalData(id_number="001090012345", full_name="Nguyễn Văn An", birth_date=date(1990, 9, 5),
                        phone="+84821234088", email="an.nguyen@gmail.com")
    dialog = Dialog(step=StepName.EMAIL, data=data)
    card = card_text(case, dialog, catalogs, "en")
    for shown in ("****2345", "N. V. An", "1990", "082****088", "a***@gmail.com", "email (5/8)", "Tiếng Việt"):
        assert shown in card
    for hidden in ("001090012345", "Nguyễn Văn An", "05/09", "0821234088", "an.nguyen"):
        assert hidden not in card
    assert topic_name(case, dialog) == f"#{case.id} N. V. An"
    assert "ended or expired" in card_text(case, None, catalogs, "en")


def test_telegram_refusals_that_mean_the_topic_is_gone() -> None:
    for description in ("Bad Request: message thread not found", "Message thread not found",
                        "Bad Request: TOPIC_CLOSED", "Topic_closed"):
        assert isinstance(rejected(description), TopicGone)
    other = rejected("Bad Request: message to edit not found")
    assert isinstance(other, Rejected) and not isinstance(other, TopicGone)


async def test_only_one_of_two_simultaneous_first_messages_claims_the_case(redis: Redis) -> None:
    store = CaseStore(redis, 2)
    case = await store.open(DialogKey("2", "20", "20"))
    await store.save(case, status=Status.WAITING)
    first, second = await store.get(case.id), await store.get(case.id)
    assert first is not None and second is not None
    results = await asyncio.gather(store.claim(first, 501, "Minh"), store.claim(second, 502, "Lan"))
    assert sorted(results) == [False, True]
    winner = await store.get(case.id)
    assert winner is not None and winner.status is Status.TALKING
    assert {first.assignee, second.assignee} == {winner.assignee}  # the loser learns who has it
    assert await store.open(DialogKey("2", "20", "20")) == winner  # one case per citizen, reused
