"""Personal data stays out of logs; the password stays out of everything we keep."""

from __future__ import annotations

import logging

import pytest

from bot.ops.logs import MaskPersonalData, mask_personal_data
from conversations.dialog import StepName
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, Citizen


async def test_a_whole_registration_logs_no_personal_data(citizen: Citizen, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await citizen.fill_until(StepName.DONE, "en")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "moved" in logged  # the flow is logged, just not the citizen
    for secret in (ID_NUMBER, NAME, BIRTH, PHONE, PHONE[1:], EMAIL, PASSWORD, "1990-09-05"):
        assert secret not in logged


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("lookup 001090012345 failed", "001090012345"),
        ("sms to +84821234088", "821234088"),
        ("phone 0821 234 088 refused", "0821 234 088"),
        ("mail an.nguyen@gmail.com bounced", "an.nguyen@gmail.com"),
    ],
)
def test_the_log_filter_masks_ids_phones_and_emails(line: str, hidden: str) -> None:
    masked = mask_personal_data(line)
    assert hidden not in masked and masked != line


def test_the_filter_masks_exception_text_too() -> None:
    try:
        raise ValueError("bad id 001090012345")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("0821234088",), None)
        import sys

        record.exc_info = sys.exc_info()
    MaskPersonalData().filter(record)
    assert "0821234088" not in record.getMessage()
    assert record.exc_text is not None and "001090012345" not in record.exc_text
