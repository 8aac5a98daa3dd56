"""Reference bots on the same stacks, fed the same stream: what a framework costs before the product adds anything.

- echo on aiogram / PTB: send a message's text back (a contact: "ok"), answer a button press;
- aiogram FSM: `RedisStorage` on the same Redis (default key builder, no TTL, no
  event isolation, as aiogram ships it); per update the handler reads the state,
  sets the next one and answers (and answers a press);
- PTB ConversationHandler: in memory (PTB's own), /start enters, then four
  states that each answer and move to the next, for messages and presses alike.
"""

from __future__ import annotations

import warnings
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, Message, Update
from redis.asyncio import Redis
from telegram import Update as PtbUpdate
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from benchmarks.harness import Scenario
from benchmarks.redis_server import RedisServer
from benchmarks.stubs import StubRequest, StubSession


class AiogramAnchor(Scenario):
    framework = "aiogram"
    kind = "anchor"

    def __init__(self, server: RedisServer) -> None:
        super().__init__(server)
        self.bot = Bot(self.api.token, session=StubSession(self.api))
        self.dispatcher = self.make_dispatcher()

    def make_dispatcher(self) -> Dispatcher:
        raise NotImplementedError

    async def start(self) -> None:
        await self.bot.get_me()

    async def feed(self, update: dict[str, Any]) -> None:
        await self.dispatcher.feed_update(self.bot, Update.model_validate(update, context={"bot": self.bot}))

    async def stop(self) -> None:
        await self.bot.session.close()


class AiogramEcho(AiogramAnchor):
    name = "echo on aiogram"

    def make_dispatcher(self) -> Dispatcher:
        router = Router(name="echo")

        @router.message()
        async def echo(message: Message, bot: Bot) -> None:
            await bot.send_message(message.chat.id, message.text or "ok")

        @router.callback_query()
        async def pressed(query: CallbackQuery) -> None:
            await query.answer()

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        return dispatcher


class Registration(StatesGroup):
    """As many states as the product's steps, named after them."""

    consent = State()
    subject = State()
    method = State()
    id_number = State()
    full_name = State()
    birth_date = State()
    phone = State()
    email = State()
    review = State()
    otp = State()
    password = State()


STATES = [state.state for state in Registration.__all_states__]


def following(state: str | None) -> str:
    assert STATES[0] is not None
    if state not in STATES:
        return STATES[0]
    return STATES[(STATES.index(state) + 1) % len(STATES)]  # type: ignore[return-value]


class AiogramFsmRedis(AiogramAnchor):
    name = "aiogram FSM + RedisStorage"

    def __init__(self, server: RedisServer) -> None:
        self.redis: Redis = server.client()
        super().__init__(server)

    def make_dispatcher(self) -> Dispatcher:
        router = Router(name="fsm")

        async def advance(chat_id: int, state: FSMContext, bot: Bot) -> None:
            now = following(await state.get_state())
            await state.set_state(now)
            await bot.send_message(chat_id, f"Bước tiếp theo: {now}")

        @router.message()
        async def on_message(message: Message, state: FSMContext, bot: Bot) -> None:
            await advance(message.chat.id, state, bot)

        @router.callback_query()
        async def on_press(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
            await query.answer()
            assert query.message is not None
            await advance(query.message.chat.id, state, bot)

        dispatcher = Dispatcher(storage=RedisStorage(self.redis))
        dispatcher.include_router(router)
        return dispatcher

    async def stop(self) -> None:
        await super().stop()
        await self.redis.aclose()


class PtbAnchor(Scenario):
    framework = "ptb"
    kind = "anchor"

    def __init__(self, server: RedisServer) -> None:
        super().__init__(server)
        self.application = (Application.builder().token(self.api.token).request(StubRequest(self.api))
                            .get_updates_request(StubRequest(self.api)).concurrent_updates(256).build())
        self.add_handlers(self.application)

    def add_handlers(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        await self.application.initialize()

    async def feed(self, update: dict[str, Any]) -> None:
        parsed = PtbUpdate.de_json(update, self.application.bot)
        assert parsed is not None
        await self.application.process_update(parsed)

    async def stop(self) -> None:
        await self.application.shutdown()


Context = ContextTypes.DEFAULT_TYPE


class PtbEcho(PtbAnchor):
    name = "echo on PTB"

    def add_handlers(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        async def echo(update: PtbUpdate, context: Context) -> None:
            assert update.effective_message is not None
            await context.bot.send_message(update.effective_message.chat_id, update.effective_message.text or "ok")

        async def pressed(update: PtbUpdate, context: Context) -> None:
            assert update.callback_query is not None
            await update.callback_query.answer()

        application.add_handler(MessageHandler(filters.ALL, echo))
        application.add_handler(CallbackQueryHandler(pressed))


CONVERSATION_STATES = 4


class PtbConversation(PtbAnchor):
    name = "PTB ConversationHandler (memory)"

    def add_handlers(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        def answer_and_go(state: int) -> Any:
            async def handler(update: PtbUpdate, context: Context) -> int:
                if update.callback_query is not None:
                    await update.callback_query.answer()
                assert update.effective_chat is not None
                following = (state + 1) % CONVERSATION_STATES
                await context.bot.send_message(update.effective_chat.id, f"Bước tiếp theo: {following}")
                return following
            return handler

        states = {state: [MessageHandler(filters.ALL, answer_and_go(state)),
                          CallbackQueryHandler(answer_and_go(state))]
                  for state in range(CONVERSATION_STATES)}
        with warnings.catch_warnings():  # per_message=False with a CallbackQueryHandler: intended here
            warnings.simplefilter("ignore", PTBUserWarning)
            conversation = ConversationHandler(
                entry_points=[CommandHandler("start", answer_and_go(CONVERSATION_STATES - 1))],
                states=states,  # type: ignore[arg-type]
                fallbacks=[],
            )
        application.add_handler(conversation)


ANCHORS: tuple[type[Scenario], ...] = (AiogramEcho, PtbEcho, AiogramFsmRedis, PtbConversation)
