"""Logging that cannot leak a citizen's ID number, phone or email, as text or JSON lines.

Code should never log personal data in the first place; this filter is the
safety net for what slips through (an exception message, a library's
debug line): long digit runs and email addresses are masked wherever they
appear in a record — its message, its exception text and every extra
field. `LOG_FORMAT=json` writes one JSON object per line (time, level,
logger, message, the extra fields, exception) for a log collector; the
default is a readable line for a console.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

_DIGIT_RUN = re.compile(r"(?<!\d)(\+?\d[\d .-]{7,}\d)(?!\d)")
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+\.[\w.-]+)")


def mask_personal_data(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        run = re.sub(r"\D", "", match.group(1))
        return match.group(1) if len(run) < 9 else "*" * (len(run) - 3) + run[-3:]

    return _EMAIL.sub(r"\1***@\2", _DIGIT_RUN.sub(digits, text))


def log_failure(log: logging.Logger, where: str, error: BaseException, level: int = logging.ERROR) -> str:
    """Log that `where` failed, by the error's type and where it was raised, and return a short reference.

    Never the error's message nor a full traceback: a message quotes what it failed on (pydantic's names the
    input values; a `ValueError` the text it could not parse), and that may be a citizen's name or birth
    date, which no mask can tell from other words. Types and code locations carry no input. The reference
    ("ref 3f9a01c2") is what the citizen, an HTTP answer or a metric's reader can quote to find this line.
    """
    ref = secrets.token_hex(4)
    chain = _chain(error)
    types = " from ".join(type(link).__name__ for link in chain)
    log.log(level, "%s failed: %s (ref %s)%s", where, types, ref, _raised_at(chain[-1]))
    return ref


def _chain(error: BaseException) -> list[BaseException]:
    """The error, then the one it was raised from or while handling, and so on (five at most)."""
    chain = [error]
    while len(chain) < 5:
        last = chain[-1]
        cause = last.__cause__ or (None if last.__suppress_context__ else last.__context__)
        if cause is None:
            break
        chain.append(cause)
    return chain


def _raised_at(error: BaseException) -> str:
    """Where the first error of the chain was raised: the frames it went through, innermost last, as
    `file:line in function` (no source line, no value)."""
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    return "".join(f"\n  at {Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in frames)


# What every LogRecord has; anything else on a record came in through `extra=` and is written as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def _masked(value: Any) -> Any:
    """A value safe to write: strings masked; numbers kept as numbers unless they look like an ID or phone."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if mask_personal_data(str(value)) == str(value) else mask_personal_data(str(value))
    if isinstance(value, str):
        return mask_personal_data(value)
    return mask_personal_data(json.dumps(value, default=str, ensure_ascii=False))


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {name: value for name, value in vars(record).items() if name not in _STANDARD}


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        for name, value in extra_fields(record).items():
            setattr(record, name, _masked(value))
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record and line: time (UTC, ISO 8601), level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in extra_fields(record).items():
            line.setdefault(name, _masked(value))
        if record.exc_info and record.exc_info[1] is not None:  # a record that did not pass the filter
            line["exception"] = mask_personal_data(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


LogFormat = Literal["text", "json"]

# LOG_LEVEL is for the product's own loggers. Everything else logs from WARNING up, whatever LOG_LEVEL says:
# python-telegram-bot's debug lines carry whole updates and calls — a name, a birth date, a password typed in
# the chat, which no filter can tell from other words — and httpx's request lines, at INFO, the bot token in
# the URL (tests/telegram/test_leak_scan.py found both).
OWN_LOGGERS = ("bot", "conversations")
LIBRARIES_FROM = logging.WARNING


def setup_logging(level: str, log_format: LogFormat = "text") -> None:
    own = logging.getLevelNamesMapping().get(level.upper())
    if own is None:
        raise SystemExit(f"LOG_LEVEL={level!r} is not a logging level (DEBUG, INFO, WARNING, ERROR, CRITICAL)")
    handler = logging.StreamHandler()
    handler.addFilter(MaskPersonalData())
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=max(own, LIBRARIES_FROM), handlers=[handler], force=True)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(own)
