"""LOG_FORMAT=json: one parseable object per line, masked like the text format, extras and exceptions too."""

from __future__ import annotations

import json
import logging
import sys

from bot.logs import JsonLines, MaskPersonalData
from tests.citizen import EMAIL, ID_NUMBER, PHONE


def written(record: logging.LogRecord) -> dict[str, object]:
    assert MaskPersonalData().filter(record)
    line = JsonLines().format(record)
    assert "\n" not in line
    return dict(json.loads(line))


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_has_time_level_logger_message_and_the_extra_fields() -> None:
    line = written(record("portal %s failed", "submit", step="review", attempt=2))
    assert line["level"] == "WARNING" and line["logger"] == "bot.test"
    assert line["message"] == "portal submit failed"
    assert (line["step"], line["attempt"]) == ("review", 2)
    assert str(line["time"]).endswith("+00:00")


def test_personal_data_is_masked_in_the_message_and_in_every_field() -> None:
    line = written(record("lookup %s", ID_NUMBER, phone=PHONE, phone_number=int(PHONE), email=EMAIL,
                          details={"id": ID_NUMBER}))
    text = json.dumps(line, ensure_ascii=False)
    for secret in (ID_NUMBER, PHONE, PHONE[1:], EMAIL):
        assert secret not in text
    assert line["phone"] == "*******088"


def test_exception_text_is_masked() -> None:
    try:
        raise ValueError(f"no account for {ID_NUMBER}")
    except ValueError:
        failed = record("check failed")
        failed.exc_info = sys.exc_info()
    line = written(failed)
    assert "ValueError" in str(line["exception"]) and ID_NUMBER not in str(line["exception"])
