"""The funnel, refusal and SMS-code counts read from real dialogs: going back, editing and doubts count right."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import REGISTRY

from conversations.dialog import StepName
from tests.citizen import BIRTH, NAME, PHONE, Citizen
from tests.clock import ManualClock

Counts = Callable[[], dict[str, float]]


def counts(name: str, label: str, values: list[str]) -> Counts:
    """A snapshot function: the counter's current value per label value (counters are process-wide)."""
    return lambda: {value: REGISTRY.get_sample_value(name, {label: value}) or 0.0 for value in values}


def grew(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


FUNNEL = counts("regbot_funnel_reached_total", "step", [step.value for step in StepName])
OTP = counts("regbot_otp_total", "outcome", ["sent", "confirmed", "wrong", "expired", "locked", "resent"])


async def test_going_back_and_editing_at_the_review_count_each_step_once(citizen: Citizen) -> None:
    funnel = FUNNEL()
    await citizen.fill_until(StepName.PHONE)
    await citizen.send("/back")  # to the birth date
    await citizen.send("/back")  # to the name
    await citizen.send(NAME)
    await citizen.send(BIRTH)
    await citizen.send(PHONE)
    await citizen.send("Bỏ qua")  # no email
    assert await citizen.step() is StepName.REVIEW
    await citizen.press("review:edit_phone")
    await citizen.send(PHONE)  # back at the review
    assert await citizen.step() is StepName.REVIEW
    assert grew(funnel, FUNNEL()) == {step: 1 for step in (
        "consent", "subject", "method", "id_number", "full_name", "birth_date", "phone", "email", "review")}


async def test_a_cancelled_registration_counts_where_it_stopped_and_restarts_at_consent(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE)
    cancelled = REGISTRY.get_sample_value("regbot_funnel_cancelled_total", {"step": "birth_date"}) or 0.0
    funnel = FUNNEL()
    await citizen.send("/cancel")
    await citizen.press("consent:agree")
    assert grew(funnel, FUNNEL()) == {"consent": 1, "subject": 1}
    assert REGISTRY.get_sample_value("regbot_funnel_cancelled_total", {"step": "birth_date"}) == cancelled + 1


def refusals(step: str, reason: str) -> float:
    return REGISTRY.get_sample_value("regbot_refusals_total", {"step": step, "reason": reason}) or 0.0


async def test_refusals_are_counted_by_step_and_reason_but_a_doubt_is_not_one(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER)
    reason = "a_cccd_or_cmnd_number_has_only_digits"  # the first words of the explanation
    before = refusals("id_number", reason)
    await citizen.send("00109001234X")
    assert refusals("id_number", reason) == before + 1
    total = sum_refusals()
    await citizen.send("003090012345")  # an unknown province code: confirm, not refused
    await citizen.press("id_number:confirm")
    assert await citizen.step() is StepName.FULL_NAME
    await citizen.send("/help")  # a command is no answer
    assert sum_refusals() == total


def sum_refusals() -> float:
    return sum(sample.value for family in REGISTRY.collect() if family.name == "regbot_refusals"
               for sample in family.samples if sample.name == "regbot_refusals_total")


async def test_sms_codes_sent_resent_wrong_expired_and_confirmed(citizen: Citizen, clock: ManualClock) -> None:
    otp = OTP()
    await citizen.fill_until(StepName.OTP)
    clock.advance(61)
    await citizen.press("otp:resend")
    code = await citizen.sandbox.last_code()
    await citizen.send(code[:-1] + str((int(code[-1]) + 1) % 10))
    clock.advance(301)
    await citizen.send(code)  # too late
    assert grew(otp, OTP()) == {"sent": 1, "resent": 1, "wrong": 1, "expired": 1}
    await citizen.press("otp:resend")
    await citizen.send(await citizen.sandbox.last_code())
    assert await citizen.step() is StepName.PASSWORD
    assert grew(otp, OTP()) == {"sent": 1, "resent": 2, "wrong": 1, "expired": 1, "confirmed": 1}
