"""Every Redis key name the bot uses, built here and nowhere else.

Deployed data lives under these names, so a name changed by accident is
data lost (or a dialog's lock no longer beside its dialog): keeping them in
one module makes them easy to review, and tests/bot/test_keys.py pins them
and fails if "regbot:" is spelt anywhere else in bot/.

Redis Cluster runs a script or a MULTI only on keys of one hash slot, and
the braces in a name are its hash tag (only they are hashed). So every key
of one dialog (bot, chat, user) carries the dialog's tag, and the help
desk's keys carry their bot's (`{<bot>}`): each script and transaction
stays in one slot. A key used only on its own (the idle set, a link's
record, the audit stream) needs no tag. A test
(tests/bot/test_key_slots.py) hashes every script's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "regbot"
PASSWORD_LINKS = f"{PREFIX}:pwlink:"  # + nonce: the dialog a password-form link opens
ASSIST_LINKS = f"{PREFIX}:assist:"  # + nonce: the staff-prepared dialog a citizen's link opens
ASSIST_CODES = f"{PREFIX}:assistcode:"  # + the code's keyed hash: the link's nonce, for a channel with no deep link


AUDIT_STREAM = f"{PREFIX}:audit"  # the help desk's append-only log (bot/helpdesk/audit.py)

# One hash tag for every registration counter: a script may only touch keys of one slot in Redis Cluster,
# and these keys are few and busy only when someone submits.
REGISTRATION_QUOTAS = f"{PREFIX}:quota:{{registrations}}"


def idle_dialogs(bot: str) -> str:
    """A sorted set of `bot`'s dialogs by when they fall idle (epoch ms), for the reminder.

    Written beside a dialog's scripts, never inside them: it lies in another slot than the dialogs.
    """
    return f"{PREFIX}:idle:{bot}"


def polling_inbox(bot_id: int | str) -> str:
    """A hash of the updates a poller fetched and has not yet finished handling (bot/channels/telegram/polling.py)."""
    return f"{PREFIX}:inbox:{bot_id}"


def message_budget(bot_id: int | str) -> str:
    """When the messages all of a bot's workers leased would have gone at its rate (bot/core/message_budget.py)."""
    return f"{PREFIX}:budget:{bot_id}"


def password_form_attempts(scope: str, who: str) -> str:
    """The counter of failed password-form submissions by one `who` in one `scope` (bot/webapp/attempts.py's
    LIMITS): an IPv4 address or an IPv6 /64 ("2001:db8:1:2::/64"), a link, a user."""
    return f"{PREFIX}:pwlimit:{scope}:{who}"


def registration_quota(kind: str, pseudonym: str) -> str:
    """Before the hourly hashes: one identifier's own counter of the registrations it started, of `kind`
    ("user", "id", "phone"); still read, and emptied into `registration_quota_hour` when it next counts.

    `pseudonym`: the keyed hash of the identifier (bot/core/pseudonyms.py), never an ID number or phone.
    """
    return f"{REGISTRATION_QUOTAS}:{kind}:{pseudonym}"


def registration_quota_hour(hour: int, shard: int) -> str:
    """A hash of the registrations started in one hour (`hour`: epoch seconds // 3600), one of its `shard`s, a field
    per counted identifier (its keyed hash, cut short) → its entries: a few keys for every citizen of that hour, not
    three keys each (a key costs Redis about 100 bytes before its value, bot/core/registration_quota.py)."""
    return f"{REGISTRATION_QUOTAS}:h:{hour}:{shard}"


@dataclass(frozen=True, slots=True)
class DeskKeys:
    """The help desk's keys for one bot (bot/helpdesk/cases.py, bot/helpdesk/roster.py), all in its slot.

    A case's record, its pointers and the waiting set change together in one transaction; a desk is busy
    only as fast as staff type, so one slot per bot carries it easily.
    """

    bot_id: int | str

    @property
    def _prefix(self) -> str:
        return f"{PREFIX}:desk:{{{self.bot_id}}}"

    @property
    def untagged_prefix(self) -> str:
        """How this desk's keys began before they carried the bot's tag (bot/helpdesk/migration.py)."""
        return f"{PREFIX}:desk:{self.bot_id}:"

    def tagged(self, untagged: str) -> str:
        """The name a key named before the tag (`untagged_prefix`…) has now."""
        return f"{self._prefix}:{untagged.removeprefix(self.untagged_prefix)}"

    @property
    def tagged_since(self) -> str:
        """Set once no key of this desk is left under its name from before the tag: later starts look no further."""
        return f"{self._prefix}:tagged"

    def case(self, case_id: str) -> str:
        """A hash: the case's record."""
        return f"{self._prefix}:case:{case_id}"

    def citizen(self, dialog: DialogKey) -> str:
        """The id of a citizen's case; a citizen of this bot's own chats keeps the name from before there
        were other channels, one of another channel account is qualified by it."""
        qualifier = "" if dialog.bot == str(self.bot_id) else f"{dialog.bot}:"
        return f"{self._prefix}:citizen:{qualifier}{dialog.chat}:{dialog.user}"

    def topic(self, topic: int) -> str:
        """The id of the case a forum topic belongs to."""
        return f"{self._prefix}:topic:{topic}"

    def assisting(self, staff_id: int) -> str:
        """The id of the assisted registration a staff member is preparing."""
        return f"{self._prefix}:assisting:{staff_id}"

    def copies(self, case_id: str) -> str:
        """A hash: each relayed message ("c:<id>", "s:<id>") → the id of its copy, for edits (-1: sent on Zalo,
        which edits nothing; "edited:s:<id>": staff were told so)."""
        return f"{self._prefix}:copies:{case_id}"

    @property
    def waiting(self) -> str:
        """A sorted set of the cases waiting for staff, by hand-off time: for the metrics, without a scan."""
        return f"{self._prefix}:waiting"

    @property
    def seq(self) -> str:
        """The counter giving cases their short ids."""
        return f"{self._prefix}:seq"

    @property
    def staff(self) -> str:
        """A hash: a staff member's @username (lowercase) → [id, first name]."""
        return f"{self._prefix}:staff"


@dataclass(frozen=True, slots=True)
class DialogKey:
    bot: str
    chat: str
    user: str

    @property
    def _tag(self) -> str:
        return "{" + f"{self.bot}:{self.chat}:{self.user}" + "}"

    @property
    def dialog(self) -> str:
        return f"{PREFIX}:{self._tag}:dialog"

    @property
    def lock(self) -> str:
        return f"{PREFIX}:{self._tag}:lock"

    @property
    def password_link(self) -> str:
        """The nonce of the dialog's current password link (a newer link replaces it)."""
        return f"{PREFIX}:{self._tag}:pwlink"

    @property
    def assist_link(self) -> str:
        """The token of the newest link handing this (staff-prepared) dialog to a citizen's phone."""
        return f"{PREFIX}:{self._tag}:assistlink"

    @classmethod
    def of_member(cls, bot: str, member: str) -> DialogKey:
        chat, _, user = member.partition(":")
        return cls(bot, chat, user or chat)

    @property
    def member(self) -> str:
        """How the dialog is named in its bot's sets (see `idle_dialogs`): "user" in a private chat."""
        return self.user if self.chat == self.user else f"{self.chat}:{self.user}"

    @property
    def idle(self) -> str:
        return idle_dialogs(self.bot)

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """(key holding the dialog's newest link nonce, prefix of that link's record), for each kind of link."""
        return (self.password_link, PASSWORD_LINKS), (self.assist_link, ASSIST_LINKS)

    @property
    def message_rate(self) -> str:
        """The counter of the citizen's messages in the current window (bot/core/message_rate.py)."""
        return f"{PREFIX}:{self._tag}:rate"

    @property
    def blocked(self) -> str:
        """When the citizen blocked the bot (a 403); gone once they write again, or with the dialog's TTL."""
        return f"{PREFIX}:{self._tag}:blocked"

    @property
    def interacted(self) -> str:
        """When a Zalo citizen last wrote, pressed or followed; it expires as Zalo's 7-day window closes."""
        return f"{PREFIX}:{self._tag}:interacted"

    @property
    def numbered(self) -> str:
        """The button ids of the numbered list a Zalo citizen was last asked, in order (a typed number answers it)."""
        return f"{PREFIX}:{self._tag}:numbered"

    @property
    def handled(self) -> str:
        """The ids of events (Telegram updates) already handled for this dialog; expires with it."""
        return f"{PREFIX}:{self._tag}:handled"

    @property
    def unsent(self) -> str:
        """The answer to the latest event, sealed, until the next one: sent again if that event comes back."""
        return f"{PREFIX}:{self._tag}:unsent"


@dataclass(frozen=True, slots=True)
class ZaloKeys:
    """One Zalo Official Account's own keys (bot/channels/zalo/), all under its app's hash tag.

    The token pair and its lock change together; the webhook's inbox, its owners and the ids of the events
    taken are written in one script: one slot for the OA, whose traffic one Redis node carries easily.
    """

    app_id: str

    @property
    def _prefix(self) -> str:
        return f"{PREFIX}:zalo:{{{self.app_id}}}"

    @property
    def tokens(self) -> str:
        """The OA's access and single-use refresh token, sealed (bot/channels/zalo/tokens.py)."""
        return f"{self._prefix}:tokens"

    @property
    def token_lock(self) -> str:
        """Held by the one worker spending the refresh token."""
        return f"{self._prefix}:tokens:lock"

    @property
    def inbox(self) -> str:
        """A hash: each webhook event taken and not yet handled (its id → the event, sealed)."""
        return f"{self._prefix}:inbox"

    @property
    def inbox_owners(self) -> str:
        """A hash: each event in the inbox → the worker handling it, so another takes it only when that one died."""
        return f"{self._prefix}:inbox:owners"

    def seen(self, event_id: str) -> str:
        """Set while a webhook event's id is remembered, so that it is taken once."""
        return f"{self._prefix}:seen:{event_id}"


def worker_heartbeat(worker: str) -> str:
    """A worker process's sign of life, renewed while it runs (bot/storage/heartbeat.py)."""
    return f"{PREFIX}:worker:{worker}"
