"""A citizen over the pure core: `conversations.engine.handle` called directly, the dialog kept in memory.

The same shape as `tests.citizen.Citizen` (start, send, press, fill_until,
text, reply, buttons, step()) so tests read alike at both levels, but no
Redis, no HTTP and no lock: the portal is the sandbox's real rules in
process (`InProcessPortal`), the clock is a `ManualClock`, and replies are
rendered with the real catalogs, so a test asserts on what a citizen
reads. The dialog is kept as the store would keep it: replaced when the
outcome says it changed, dropped on `Effect.ERASE` (the next event starts
afresh, in the default language).
"""

from __future__ import annotations

from bot.core.assistant import Rendered, RenderedButton
from bot.core.i18n import Catalogs
from bot.portal.in_process import InProcessPortal
from conversations.dialog import Dialog, Language, StepName
from conversations.engine import handle
from conversations.events import Event, PasswordChosen, Pressed, read_text
from conversations.outcome import Outcome
from conversations.quota import UNLIMITED, RegistrationQuota
from conversations.replies import Effect, Reply
from conversations.step import Context
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, PHONE_E164
from tests.clock import ManualClock

DEFAULT_LANGUAGE: Language = "vi"  # as `Assistant`'s default: a new dialog speaks Vietnamese

# Every right answer from consent to the review's "Register", in order.
RIGHT_ANSWERS: tuple[str | Event, ...] = (
    Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
    ID_NUMBER, NAME, BIRTH, PHONE, EMAIL, Pressed("review:submit"),
)


class Citizen:
    def __init__(
        self, portal: InProcessPortal, catalogs: Catalogs, clock: ManualClock, *, help_desk: bool = False,
        quota: RegistrationQuota = UNLIMITED, demo: bool = False,
    ) -> None:
        self.portal = portal
        self.catalogs = catalogs
        self.clock = clock
        self.help_desk = help_desk
        self.quota = quota
        self.demo = demo
        self.dialog = Dialog(language=DEFAULT_LANGUAGE)
        self.last: Outcome | None = None
        self.replies: tuple[Rendered, ...] = ()

    def context(self) -> Context:
        return Context(now=self.clock(), portal=self.portal, labels=self.catalogs.labels,
                       help_desk=self.help_desk, quota=self.quota, demo=self.demo)

    async def send(self, what: str | Event) -> str:
        """Type `what` (read as the Telegram front reads text: "/name args" is a command) or send an event;
        return everything the citizen reads back."""
        event = read_text(what) if isinstance(what, str) else what
        before = self.dialog
        outcome = await handle(before, event, self.context())
        # The store keeps nothing from an unchanged outcome: a dialog changed anyway would be lost in production.
        assert outcome.changed or outcome.dialog == before, f"changed=False but the dialog moved on {event!r}"
        self.last = outcome
        self.replies = tuple(self.render(reply, outcome.dialog.language) for reply in outcome.replies)
        if Effect.ERASE in outcome.effects:
            self.dialog = Dialog(language=DEFAULT_LANGUAGE)
        elif outcome.changed:
            self.dialog = outcome.dialog
        return self.text

    async def press(self, button: str) -> str:
        return await self.send(Pressed(button))

    def render(self, reply: Reply, language: Language) -> Rendered:
        """As `Assistant.render`: every paragraph and button label in the citizen's language."""
        buttons = tuple(tuple(RenderedButton(button.id, self.catalogs.render(button.label, language))
                              for button in row) for row in reply.buttons)
        paragraphs = tuple(self.catalogs.render_paragraph(paragraph, language) for paragraph in reply.lines)
        return Rendered(paragraphs, buttons, reply.ask_contact, reply.ask_password)

    @property
    def reply(self) -> Rendered:
        assert self.replies, "no reply to the last event"
        return self.replies[-1]

    @property
    def text(self) -> str:
        return "\n\n".join(reply.text for reply in self.replies)

    @property
    def buttons(self) -> dict[str, str]:
        return {button.id: button.label for row in self.reply.buttons for button in row} if self.replies else {}

    @property
    def changed(self) -> bool:
        """Whether the last event changed the dialog (False: a refusal, a repeated question; nothing stored)."""
        assert self.last is not None
        return self.last.changed

    @property
    def effects(self) -> tuple[Effect, ...]:
        assert self.last is not None
        return self.last.effects

    def step(self) -> StepName:
        return self.dialog.step

    def last_code(self) -> str:
        """The code in the latest SMS to the sample phone."""
        return self.portal.last_code(PHONE_E164)

    async def start(self, language: Language = DEFAULT_LANGUAGE) -> None:
        await self.send("/start")
        if language != DEFAULT_LANGUAGE:
            await self.send(f"/language {language}")

    async def fill_until(self, step: StepName, language: Language = DEFAULT_LANGUAGE) -> None:
        """Answer every question rightly until the dialog reaches `step`."""
        await self.start(language)
        for answer in RIGHT_ANSWERS:
            if self.step() == step:
                return
            await self.send(answer)
        if step is not StepName.OTP:
            await self.send(self.last_code())
        if step not in (StepName.OTP, StepName.PASSWORD):
            await self.send(PasswordChosen(PASSWORD, PASSWORD))
        assert self.step() == step, f"filled up to {self.step()}, not {step}"
