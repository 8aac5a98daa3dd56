"""The case card staff see at the top of a citizen's topic, and the topic's name: masked, always.

Enough to help (where the citizen is, why they need a person, what they
have given, and on which channel: Telegram or Zalo) and not enough to identify them: ID ****5678, phone
082****088, name as initials and the last word, birth year only. `/reveal`
shows one field whole, to the assignee only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.zalo.config import CHANNEL_PREFIX as ZALO
from bot.core.i18n import Catalogs
from bot.helpdesk.cases import Case, Status
from bot.helpdesk.texts import CARD, CHANNELS, REASONS, STATUSES, STEP_LABELS
from conversations.dialog import Dialog, HandoffReason, Language
from conversations.fields.phone import mask_phone
from conversations.step import VIETNAM
from conversations.steps import NUMBERED
from conversations.text import Text

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def mask_id(id_number: str) -> str:
    return "****" + id_number[-4:]


def mask_name(full_name: str) -> str:
    """"Nguyễn Văn An" → "N. V. An": initials, then the given name in full."""
    *others, last = full_name.split()
    return " ".join([*(word[0] + "." for word in others), last])


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def channel_of(case: Case) -> str:
    """Where the citizen writes from: a Zalo OA's case is kept under its channel (`ZaloConfig.channel`); the
    Telegram bot's under its id."""
    return "zalo" if case.bot.startswith(ZALO) else "telegram"


def topic_name(case: Case, dialog: Dialog | None) -> str:
    name = dialog.data.full_name if dialog is not None else None
    return f"#{case.id} {mask_name(name)}" if name else f"#{case.id}"


def card_text(case: Case, dialog: Dialog | None, catalogs: Catalogs, language: Language) -> str:
    def say(text: Text) -> str:
        return catalogs.render(text, language)

    status = say(STATUSES[case.status])
    if case.status is Status.TALKING and case.assignee_name:
        status = f"{status}: {case.assignee_name}"
    lines = [f"🆘 #{case.id}", f"{say(CARD['channel'])}: {say(CHANNELS[channel_of(case)])}",
             f"{say(CARD['status'])}: {status}"]
    if case.reason in REASONS:
        lines.append(f"{say(CARD['reason'])}: {say(REASONS[HandoffReason(case.reason)])}")
    if case.since:
        since = datetime.fromtimestamp(case.since, UTC).astimezone(VIETNAM)
        lines.append(f"{say(CARD['since'])}: {since:%H:%M %d/%m/%Y} (ICT)")
    if dialog is None:
        return "\n".join([*lines, say(CARD["gone"])])
    step = say(STEP_LABELS[dialog.step])
    if dialog.step in NUMBERED:
        step += f" ({NUMBERED.index(dialog.step) + 1}/{len(NUMBERED)})"
    data = dialog.data
    masked = {
        "id_number": mask_id(data.id_number) if data.id_number else None,
        "full_name": mask_name(data.full_name) if data.full_name else None,
        "birth_date": str(data.birth_date.year) if data.birth_date else None,
        "phone": mask_phone(data.phone) if data.phone else None,
        "email": mask_email(data.email) if data.email else None,
    }
    lines += [f"{say(CARD['step'])}: {step}", f"{say(CARD['language'])}: {LANGUAGE_NAMES[dialog.language]}"]
    lines += [f"{say(CARD[field])}: {value or '—'}" for field, value in masked.items()]
    return "\n".join([*lines, "", say(CARD["commands"])])
