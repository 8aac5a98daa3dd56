"""LOG_FORMAT=json: one parseable object per line, masked like the text format, extras and exceptions too."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.ops.logs import OWN_LOGGERS, JsonLines, MaskPersonalData, setup_logging
from tests.citizen import EMAIL, ID_NUMBER, NAME, PHONE


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


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """`setup_logging` configures the process's logging: put back what pytest had."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    own = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in own.items():
        logging.getLogger(name).setLevel(was)


def test_log_level_is_the_products_while_libraries_log_from_warning(
    capsys: pytest.CaptureFixture[str], logging_restored: None,
) -> None:
    setup_logging("DEBUG", "json")
    logging.getLogger("bot.core.assistant").debug("dialog 123456:1001 moved id_number -> full_name")
    logging.getLogger("telegram.ext.ExtBot").debug("Call to Bot API endpoint `getUpdates` finished with return "
                                                   f"value `[{{'text': '{NAME}'}}]`")  # no filter knows a name
    logging.getLogger("httpx").info("HTTP Request: POST http://127.0.0.1/bot123456:AAAA/getMe")  # the token
    logging.getLogger("httpx").warning("connection pool full")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("bot.core.assistant", "DEBUG"), ("httpx", "WARNING")]


def test_an_unknown_log_level_is_refused_with_the_levels_to_choose_from(logging_restored: None) -> None:
    with pytest.raises(SystemExit, match="LOG_LEVEL='LOUD' is not a logging level"):
        setup_logging("LOUD")
