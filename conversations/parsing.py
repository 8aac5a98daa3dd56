"""What a field parser answers: a value, a value with a doubt, or a refusal.

A refusal is a value, not an exception (STYLE.md, habit 2): it carries the
localisable reason the citizen will read, and the dialog stays where it was.
A doubt (e.g. a CCCD province code we do not know) lets the citizen confirm
rather than being refused outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from conversations.text import Text

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Accepted(Generic[T]):
    value: T
    doubt: Text | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Text


ParseResult = Accepted[T] | Refused
