"""The registration flow, in the order a citizen meets it.

    consent → subject → method → id_number → full_name → birth_date → phone
    → email → review → otp → password → done

Each step module declares what it asks, how it reads the answer and where
it may go (`Step.exits`); `docs/flow.md` is drawn from this table.
"""

from __future__ import annotations

from conversations.dialog import StepName
from conversations.step import Step
from conversations.steps.fields import birth_date, email, full_name, id_number, phone
from conversations.steps.otp import otp
from conversations.steps.password import done, password
from conversations.steps.review import review
from conversations.steps.start import consent, method, subject

FLOW: tuple[Step, ...] = (
    consent, subject, method,
    id_number, full_name, birth_date, phone, email, review, otp, password,
    done,
)

STEPS: dict[StepName, Step] = {step.name: step for step in FLOW}
NUMBERED: tuple[StepName, ...] = tuple(step.name for step in FLOW if step.numbered)


def step_after(name: StepName) -> StepName:
    index = FLOW.index(STEPS[name])
    return FLOW[index + 1].name
