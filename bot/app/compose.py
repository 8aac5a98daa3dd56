"""The composition root: every object of a channel's process built here, each given what it needs.

Built in the order they depend on each other, so nothing is assigned onto
an object after it is made: a channel's way out (its replies), the help
desk's citizen side, the limits, the switchboard that joins them to the
assistant, then what needs the switchboard (the staff side, the channel's
way in, the password form). `bot/app/runtime.py` builds the parts every
channel shares (Redis, the portal, the dialog store, the assistant).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter

from aiohttp import web

from bot.app.runtime import Runtime
from bot.app.settings import Settings
from bot.app.zalo_channel import ZaloChannel
from bot.channels.console import CHANNEL, Console, ConsoleReplies
from bot.channels.telegram.actions import BotCalls, GetMemberStatus, Result
from bot.channels.telegram.adapter import BotIdentity
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.front import TelegramFront
from bot.channels.telegram.replies import BlockedChats, TelegramReplies
from bot.channels.zalo import assumptions
from bot.channels.zalo.webhook import ZaloWebhook
from bot.core.assistant import utc_now
from bot.core.i18n import Catalogs
from bot.core.inflight import InFlight
from bot.core.message_budget import MessageBudget
from bot.core.message_rate import MessageRate
from bot.core.pacing import ChatLimits, ChatPacing
from bot.core.ports import Replies
from bot.core.switchboard import Switchboard
from bot.helpdesk.assisted import Assisted
from bot.helpdesk.audit import AuditLog
from bot.helpdesk.cases import CaseStore
from bot.helpdesk.citizen_side import CitizenSide
from bot.helpdesk.handover import HandoverCodes
from bot.helpdesk.reveal import Reveal
from bot.helpdesk.roster import StaffRoster
from bot.helpdesk.staff_side import StaffSide
from bot.helpdesk.topics import Topics
from bot.ops.metrics import REFRESHERS, handoff_gauges
from bot.ops.web import create_web_app, parse_networks, public_url
from bot.storage import DialogKey
from bot.storage.budget_counter import RedisBudgetCounter
from bot.storage.keys import ASSIST_LINKS
from bot.webapp.attempts import Attempts
from bot.webapp.links import PASSWORD_PAGE, OneTimeLinks, PasswordLinks
from bot.webapp.routes import PasswordForm


@dataclass(frozen=True, slots=True)
class TelegramBot:
    """What `regbot run` serves: updates come in at `front`, HTTP at `app`; `in_flight` is what a
    shutdown waits for."""

    front: TelegramFront
    switchboard: Switchboard
    app: web.Application
    in_flight: InFlight
    channel: str  # the `DialogKey.bot` of its dialogs: the bot's id
    budget: MessageBudget  # its leases in flight are awaited before Redis is closed


def telegram_bot(
    settings: Settings, runtime: Runtime, calls: BotCalls, me: BotIdentity, token: str,
    other_channels: Mapping[str, Replies] | None = None,
) -> TelegramBot:
    """`other_channels`: the ways out of the process's other channels, by channel account, so that their
    citizens reach the help desk's staff on Telegram too."""
    store, redis, catalogs = runtime.assistant.store, runtime.redis, runtime.catalogs
    budget = MessageBudget(RedisBudgetCounter(redis, me.id), settings.telegram_rate)
    runtime.riders.add(budget, str(me.id))  # its lease rides with its dialogs' locks when it holds no slots
    delivery = Delivery(calls, BlockedChats(store, me.id).record, chat_pacing(settings), budget,
                        backoff=settings.telegram_retry_backoff)
    links = PasswordLinks(redis, runtime.pseudonyms)
    replies = TelegramReplies(delivery, catalogs, links, public_url(settings.webapp_url, settings.port))
    app = create_web_app(redis, runtime.portal, parse_networks(settings.trusted_proxies))
    staff_chat = settings.staff_chat_id
    desk = _help_desk(staff_chat, settings, runtime, delivery, me, app) if staff_chat is not None else None
    rate = MessageRate(catalogs, settings.message_rate_limit, settings.message_rate_window,
                       staff=desk.roster if desk else None) if settings.message_rate_limit > 0 else None
    switchboard = Switchboard(runtime.assistant, catalogs, {**(other_channels or {}), str(me.id): replies},
                              desk.citizen_side if desk else None, rate)
    staff = desk.staff_side(switchboard, delivery, catalogs, me, settings.staff_show_name) if desk else None
    in_flight = InFlight()
    front = TelegramFront(switchboard, me.id, delivery, in_flight, staff)
    PasswordForm(switchboard.handle, store, links, redis, catalogs, token, utc_now).mount(app)
    return TelegramBot(front, switchboard, app, in_flight, str(me.id), budget)


def chat_pacing(settings: Settings) -> ChatPacing:
    """Each chat's token bucket, as TELEGRAM_CHAT_BURST, TELEGRAM_CHAT_INTERVAL and TELEGRAM_GROUP_RATE say."""
    return ChatPacing(ChatLimits(settings.telegram_chat_burst, settings.telegram_chat_interval,
                                 settings.telegram_group_rate))


@dataclass(frozen=True, slots=True)
class _HelpDesk:
    """The help desk's parts the switchboard needs; its staff side, which needs the switchboard, comes after."""

    topics: Topics
    cases: CaseStore
    audit: AuditLog
    roster: StaffRoster
    citizen_side: CitizenSide

    def staff_side(
        self, switchboard: Switchboard, delivery: Delivery, catalogs: Catalogs, me: BotIdentity, show_name: bool,
    ) -> StaffSide:
        return StaffSide(switchboard, self.topics, self.cases, self.audit, self.roster, delivery, catalogs, me,
                         Reveal(self.topics, self.audit, self.roster, delivery), show_name)


def _help_desk(
    staff_chat: int, settings: Settings, runtime: Runtime, delivery: Delivery, me: BotIdentity, app: web.Application,
) -> _HelpDesk:
    """The help desk in the forum group `staff_chat` (STAFF_CHAT_ID), its waiting cases among `app`'s metrics."""
    store, redis = runtime.assistant.store, runtime.redis

    async def member_status(user_id: int) -> Result:
        return await delivery.call(staff_chat, GetMemberStatus(staff_chat, user_id))

    cases, audit = CaseStore(redis, me.id), AuditLog(redis)
    topics = Topics(delivery, cases, store, runtime.catalogs, staff_chat, settings.staff_language)
    roster = StaffRoster(redis, me.id, member_status)
    assist_links = OneTimeLinks(redis, ASSIST_LINKS, attrgetter("assist_link"), settings.assist_link_ttl,
                                runtime.pseudonyms)
    codes = HandoverCodes(redis, runtime.pseudonyms, settings.assist_link_ttl) if settings.zalo_app_id else None
    zalo_chat = assumptions.OA_CHAT_LINK.format(oa_id=settings.zalo_oa_id) if settings.zalo_oa_id else None
    assisted = Assisted(topics, cases, audit, roster, assist_links, store, delivery, me, settings.assist_link_ttl,
                        codes, Attempts(redis), zalo_chat)
    app[REFRESHERS].append(handoff_gauges(cases.waiting_since))
    return _HelpDesk(topics, cases, audit, roster, CitizenSide(topics, cases, audit, assisted, store))


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    console: Console
    app: web.Application  # the password form, which answers into the console


def console_session(runtime: Runtime, user: str, form_url: str) -> ConsoleSession:
    """`form_url`: where the password form is served (HOST:PORT, once bound)."""
    links = PasswordLinks(runtime.redis, runtime.pseudonyms)
    replies = ConsoleReplies(runtime.catalogs, links, form_url.rstrip("/") + PASSWORD_PAGE)
    switchboard = Switchboard(runtime.assistant, runtime.catalogs, {CHANNEL: replies})
    app = create_web_app(runtime.redis, runtime.portal)
    PasswordForm(switchboard.handle, runtime.assistant.store, links, runtime.redis, runtime.catalogs, None,
                 utc_now).mount(app)
    return ConsoleSession(Console(switchboard, replies, DialogKey(CHANNEL, user, user)), app)



def zalo_replies(settings: Settings, runtime: Runtime, zalo: ZaloChannel) -> dict[str, Replies]:
    """A Zalo OA's way out, by its channel account, for `telegram_bot`'s `other_channels` (Zalo beside Telegram)."""
    links = PasswordLinks(runtime.redis, runtime.pseudonyms)
    return {zalo.name: zalo.replies(links, public_url(settings.webapp_url, settings.port))}


def zalo_beside(bot: TelegramBot, zalo: ZaloChannel) -> ZaloWebhook:
    """A Zalo OA's way in on a Telegram bot's switchboard, its webhook mounted on the bot's HTTP app."""
    webhook = zalo.webhook(zalo.front(bot.switchboard).handle, bot.in_flight)
    webhook.mount(bot.app)
    return webhook


@dataclass(frozen=True, slots=True)
class ZaloBot:
    """A Zalo OA served without Telegram: its webhook and the password form on `app`."""

    switchboard: Switchboard
    app: web.Application
    in_flight: InFlight
    webhook: ZaloWebhook


def zalo_bot(settings: Settings, runtime: Runtime, zalo: ZaloChannel) -> ZaloBot:
    """The switchboard, HTTP app and password form of a process that serves Zalo alone (no help desk: its staff
    group is on Telegram)."""
    store, redis, catalogs = runtime.assistant.store, runtime.redis, runtime.catalogs
    links = PasswordLinks(redis, runtime.pseudonyms)
    replies = zalo.replies(links, public_url(settings.webapp_url, settings.port))
    rate = MessageRate(catalogs, settings.message_rate_limit,
                       settings.message_rate_window) if settings.message_rate_limit > 0 else None
    switchboard = Switchboard(runtime.assistant, catalogs, {zalo.name: replies}, None, rate)
    app = create_web_app(redis, runtime.portal, parse_networks(settings.trusted_proxies))
    in_flight = InFlight()
    webhook = zalo.webhook(zalo.front(switchboard).handle, in_flight)
    webhook.mount(app)
    PasswordForm(switchboard.handle, store, links, redis, catalogs, None, utc_now).mount(app)
    return ZaloBot(switchboard, app, in_flight, webhook)
