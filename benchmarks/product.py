"""The product through each framework's full stack, wired as `bot/app/compose.py` wires it.

An update takes the path a webhook's does in `regbot run`: a citizen's
everyday update is read straight from its JSON and any other is parsed by
the framework into its Update (aiogram's pydantic models, PTB's
`Update.de_json`), both by `citizen_json.parse_update` as the webhook and
the poller call it; the front reads it and hands it to the switchboard, and
the replies go out through the framework's HTTP client (stubbed where the
HTTP request would be made: the adapters' aiohttp post, PTB's `do_request`),
but for the one call the webhook's response may carry (a press's answer, an OTP's deletion),
which is counted apart: polling makes it as a request too.
The frameworks' dispatchers are not on that path — the dialog state is
ours — while the anchors, being the frameworks' own bots, go through them.

Differences from `regbot run`, each on purpose: the Bot API is the in-process
stub; the portal is the sandbox's rules called in process (`InProcessPortal`),
not over HTTP; the Assistant is built here (as `bot.app.runtime.running` does)
around that portal (no daily registration quota); the message-rate counter
is on, as by default (the stream never reaches its limit); delivery pacing is off (no per-chat
or bot-wide pacing), so the numbers are the process's, not Telegram's limits; no help
desk (STAFF_CHAT_ID unset); logging stays at WARNING (production logs each
step move at INFO).
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from time import perf_counter_ns
from typing import Any

import orjson
from redis.asyncio import Redis
from telegram.ext import Application

from benchmarks.harness import Fed, Measurement, Scenario, summarise
from benchmarks.redis_server import RedisServer
from benchmarks.stubs import StubPost, StubRequest, StubSession
from benchmarks.workload import PASSWORD, Workload
from bot.app.runtime import FORGET_SENT_AFTER
from bot.app.settings import Settings
from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.aiogram_adapter import AiogramAdapter
from bot.channels.telegram.citizen_json import parse_update
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.front import TelegramFront
from bot.channels.telegram.ptb_adapter import PtbAdapter
from bot.channels.telegram.replies import BlockedChats, TelegramReplies
from bot.channels.telegram.webhook_reply import WebhookReply
from bot.core.assistant import Assistant, utc_now
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.inflight import InFlight
from bot.core.message_rate import MessageRate
from bot.core.pseudonyms import Pseudonyms
from bot.core.switchboard import Switchboard
from bot.portal.in_process import InProcessPortal
from bot.storage import DialogCodec, DialogKey, load_keys
from bot.storage.redis_store import RedisDialogStore
from bot.webapp.links import PasswordLinks
from conversations.dialog import StepName
from conversations.events import PasswordChosen

WEBAPP_URL = "https://regbot.example.vn"
DEFAULTS = Settings(_env_file=None)  # what `regbot run` does unless configured
REMINDER_AFTER = DEFAULTS.reminder_after  # as `regbot run` notes idle dialogs
_catalogs: Catalogs | None = None


def catalogs() -> Catalogs:
    """Loaded once per process, as `regbot run` does."""
    global _catalogs
    if _catalogs is None:
        _catalogs = Catalogs()
    return _catalogs


class StubbedPtbAdapter(PtbAdapter):
    """`PtbAdapter` with the stub as its request layer and where it posts the calls every update makes; the same
    Application settings otherwise."""

    def __init__(self, token: str, request: StubRequest) -> None:
        self.application = (
            Application.builder().token(token).request(request).get_updates_request(StubRequest(request.bot_api))
            .concurrent_updates(256).build()
        )
        self.bot = self.application.bot
        self._http = None
        self.post_form = StubPost(request.bot_api)  # the calls posted on the adapter's aiohttp session (stubs.py)


class Product(Scenario):
    kind = "product"

    def __init__(self, server: RedisServer, framework: str, dialog_ttl: float = 24 * 3600) -> None:
        super().__init__(server)
        self.framework = framework
        self.name = f"product on {framework}"
        self._dialog_ttl = dialog_ttl
        self._data_dir = TemporaryDirectory(prefix="regbot-bench-key-")
        self.portal = InProcessPortal(utc_now)
        self.redis: Redis | None = None
        self.assistant: Assistant | None = None
        self.store: RedisDialogStore | None = None
        self.front: TelegramFront | None = None
        self.switchboard: Switchboard | None = None
        self._bot = ""
        self.adapter: TelegramAdapter | None = None
        self._aiogram: AiogramAdapter | None = None
        self._ptb: StubbedPtbAdapter | None = None

    async def start(self) -> None:
        self.redis = self.server.client()
        keys = load_keys(None, Path(self._data_dir.name))  # a dev key, as with DATA_DIR
        codec = DialogCodec(keys)
        self.store = store = RedisDialogStore(self.redis, codec, ttl=self._dialog_ttl, idle_after=REMINDER_AFTER,
                                              forget_sent_after=FORGET_SENT_AFTER)
        self.assistant = assistant = Assistant(store, self.portal, catalogs(), utc_now)
        if self.framework == "aiogram":
            self._aiogram = AiogramAdapter(self.api.token, "https://api.telegram.org")
            self._aiogram.bot.session = StubSession(self.api, like=self._aiogram.bot.session)
            self._aiogram.post_form = StubPost(self.api)  # the calls posted below aiogram's session (stubs.py)
            self.adapter = self._aiogram
        else:
            self._ptb = StubbedPtbAdapter(self.api.token, StubRequest(self.api))
            self.adapter = self._ptb
        me = await self.adapter.me()
        self._bot = str(me.id)
        delivery = Delivery(self.adapter, BlockedChats(store, me.id).record)  # not paced
        pseudonyms = Pseudonyms(keys[0])
        replies = TelegramReplies(delivery, catalogs(), PasswordLinks(self.redis, pseudonyms), WEBAPP_URL)
        rate = MessageRate(catalogs(), DEFAULTS.message_rate_limit, DEFAULTS.message_rate_window)
        self.switchboard = Switchboard(assistant, catalogs(), {self._bot: replies}, rate=rate)
        self.front = TelegramFront(self.switchboard, me.id, delivery, InFlight())

    async def feed(self, update: dict[str, Any]) -> None:
        """The path of a webhook's update in `regbot run`: read as the webhook reads it, the front handles it, and
        the response carries a call where it may (`webhook_reply.py`; counted apart, in `api.carried`)."""
        assert self.adapter is not None and self.front is not None
        reply = WebhookReply()
        await self.front.on_update(parse_update(update, self.adapter.parse_update), reply)
        if reply.body is not None:
            self.api.carry(orjson.dumps(reply.body))  # as the webhook writes it, for the same cost

    async def stop(self) -> None:
        if self.adapter is not None:
            await self.adapter.close()
        if self.store is not None:
            await self.store.forget_sent()  # as a worker does when it stops
        if self.redis is not None:
            await self.redis.aclose()
        self._data_dir.cleanup()

    def otp_code(self, phone: str) -> str:
        return self.portal.code_for(phone)

    def key(self, user_id: int) -> DialogKey:
        return DialogKey(self._bot, str(user_id), str(user_id))

    async def steps(self, workload: Workload) -> dict[str, int]:
        assert self.assistant is not None
        steps: dict[str, int] = {}
        for citizen in workload.citizens:
            dialog = await self.assistant.store.load(self.key(citizen.user_id))
            step = dialog.step.value if dialog else "none"
            steps[step] = steps.get(step, 0) + 1
        return steps

    async def check(self, workload: Workload) -> str:
        steps = await self.steps(workload)
        at_password = steps.get(StepName.PASSWORD.value, 0)
        phones = {citizen.phone_e164 for citizen in workload.citizens}
        sms = sum(1 for message in self.portal.sandbox.outbox if message.phone in phones)
        return (f"{at_password}/{len(workload.citizens)} dialogs at the password step (others: "
                f"{ {step: n for step, n in steps.items() if step != StepName.PASSWORD.value} or 'none'}), "
                f"{sms} OTP SMS sent by the sandbox")


async def measure_password(product: Product, workload: Workload, count: int) -> Measurement:
    """The Web App's way in (`Switchboard.handle` with `PasswordChosen`), for `count` citizens at the password step.

    Not a Telegram update, so not in the stream: it includes zxcvbn's check and the sandbox's scrypt
    (n=2**14) of the password, which the real portal would do on its side.
    """
    assert product.switchboard is not None and product.assistant is not None
    product.api.calls.clear()
    product.api.carried.clear()
    latencies = []
    started = perf_counter_ns()
    for citizen in workload.citizens[:count]:
        before = perf_counter_ns()
        await product.switchboard.handle(Incoming(product.key(citizen.user_id), PasswordChosen(PASSWORD, PASSWORD)))
        latencies.append(perf_counter_ns() - before)
    fed = Fed(latencies, perf_counter_ns() - started)
    steps = [await product.assistant.store.load(product.key(citizen.user_id)) for citizen in workload.citizens[:count]]
    done = sum(1 for dialog in steps if dialog is not None and dialog.step is StepName.DONE)
    result = summarise(product, workload, fed)
    result.name, result.invalid = "product: password via Web App path", 0
    result.check = f"{done}/{count} dialogs done, {len(product.portal.sandbox.accounts)} accounts created"
    return result
