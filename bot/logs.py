"""Logging that cannot leak a citizen's ID number, phone or email.

Code should never log personal data in the first place; this filter is the
safety net for what slips through (an exception message, a library's
debug line): long digit runs and email addresses are masked wherever they
appear in a record.
"""

from __future__ import annotations

import logging
import re

_DIGIT_RUN = re.compile(r"(?<!\d)(\+?\d[\d .-]{7,}\d)(?!\d)")
_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+\.[\w.-]+)")


def mask_personal_data(text: str) -> str:
    def digits(match: re.Match[str]) -> str:
        run = re.sub(r"\D", "", match.group(1))
        return match.group(1) if len(run) < 9 else "*" * (len(run) - 3) + run[-3:]

    return _EMAIL.sub(r"\1***@\2", _DIGIT_RUN.sub(digits, text))


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_personal_data(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
