"""The commands that work at every step: /start /back /cancel /help /language /human /status /delete.

None of them loses an answer already given: /back keeps what was typed,
/language re-asks the same question, and only /cancel wipes the answers —
deliberately, since that is what the citizen asked for. /delete goes
further and works in every state, a help-desk conversation too: nothing
about the citizen is kept, not even the language they chose.
"""

from __future__ import annotations

from conversations import reminder
from conversations.dialog import LANGUAGES, Dialog, HandoffReason, StepName
from conversations.events import Command
from conversations.fields.normalize import is_invisible
from conversations.handoff import hand_off
from conversations.outcome import LANGUAGE_CHOSEN, Outcome, moved, question_reply, refusal
from conversations.replies import Button, Effect, Reply
from conversations.step import Context
from conversations.steps import STEPS
from conversations.steps.review import summary
from conversations.text import _

LANGUAGE_BUTTONS = (Button("lang:vi", _("Tiếng Việt")), Button("lang:en", _("English")))
HUMAN_BUTTON = Button("help:human", _("Talk to a person"))
GLOBAL_BUTTONS = {
    "lang:vi": Command("language", "vi"),
    "lang:en": Command("language", "en"),
    "help:human": Command("human"),
    reminder.CONTINUE: Command("start"),
    reminder.DELETE: Command("delete"),
}
COMMANDS = _("Commands: /back — previous question, /cancel — stop and delete your answers, /help — help, "
             "/language — Tiếng Việt / English, /human — talk to a person, /status — where am I, "
             "/delete — delete everything I keep about you.")
ERASED = _("I have deleted everything I kept about you: your answers, where you were in the registration, "
           "the links I sent you and your conversation with the help desk. Send /start to begin again.")


def run_command(dialog: Dialog, command: Command, ctx: Context) -> Outcome:
    match command.name:
        case "start":
            return _start(dialog, ctx)
        case "back":
            return _back(dialog, ctx)
        case "cancel":
            return moved(dialog.restarted(), ctx, (_("Cancelled. I have deleted everything you told me. "
                                                     "Send /start whenever you want to begin again."),))
        case "help":
            return _help(dialog, ctx)
        case "language" | "lang":
            return _language(dialog, command.args.strip().lower(), ctx)
        case "human":
            return _human(dialog, ctx)
        case "status":
            return _status(dialog, ctx)
    return refusal(dialog, ctx, _("I do not know the command /{name}.", name=_as_typed(command.name)))


def _as_typed(name: str) -> str:
    """The unknown command, shown back without invisible characters: a bidi override in it would turn the
    rest of our message around (fuzz: "/\u202estart")."""
    return "".join(ch for ch in name if not is_invisible(ch))[:32]


def erase(dialog: Dialog) -> Outcome:
    """/delete: the stored dialog goes, and with it whatever the bot keeps beside it (Effect.ERASE)."""
    return Outcome(dialog.restarted(), (Reply((ERASED,)),), changed=True, effects=(Effect.ERASE,))


def _start(dialog: Dialog, ctx: Context) -> Outcome:
    if dialog.step is StepName.DONE:
        return moved(dialog.restarted(), ctx)
    if dialog.step is StepName.CONSENT:
        return refusal(dialog, ctx, _("Welcome!"))
    return refusal(dialog, ctx, _("Welcome back! Let us continue where you stopped."))


def _back(dialog: Dialog, ctx: Context) -> Outcome:
    if dialog.editing:
        return moved(dialog.model_copy(update={"step": StepName.REVIEW, "editing": False, "tries": 0}), ctx)
    target = STEPS[dialog.step].back
    if target is None:
        return refusal(dialog, ctx, _("There is no previous question to go back to from here."))
    back = dialog.model_copy(update={"step": target, "otp": None, "tries": 0})
    return moved(back.with_data(unconfirmed_id_number=None), ctx)


def _help(dialog: Dialog, ctx: Context) -> Outcome:
    question = question_reply(dialog, ctx)
    help_lines = (STEPS[dialog.step].hint, COMMANDS)
    reply = Reply((*help_lines, *question.lines), (*question.buttons, (HUMAN_BUTTON,)),
                  question.ask_contact, question.ask_password)
    return Outcome(dialog, (reply,), changed=False)


def _language(dialog: Dialog, choice: str, ctx: Context) -> Outcome:
    if choice not in LANGUAGES:
        reply = Reply((_("Choose your language:"),), (LANGUAGE_BUTTONS,))
        return Outcome(dialog, (reply,), changed=False)
    switched = dialog.model_copy(update={"language": choice})
    return moved(switched, ctx, (LANGUAGE_CHOSEN,))


def _human(dialog: Dialog, ctx: Context) -> Outcome:
    if not ctx.help_desk or dialog.assisted:
        return refusal(dialog, ctx, _("No help desk is connected to this assistant. Please go on here, or ask "
                                      "at a public-service counter (Bộ phận một cửa)."))
    return hand_off(dialog, HandoffReason.ASKED, ctx)


def _status(dialog: Dialog, ctx: Context) -> Outcome:
    if dialog.step is StepName.REVIEW:  # its question is the summary
        return refusal(dialog, ctx)
    if dialog.data.is_empty():
        return refusal(dialog, ctx, _("You have not given any personal details yet."))
    return refusal(dialog, ctx, _("What you have told me so far:"), summary(dialog.data))
