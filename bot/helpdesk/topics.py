"""Each case's forum topic in the staff group, and the card at its top, kept true to the case.

A topic deleted or closed by hand is made anew on the next post, with a
card first; the card and the topic's name are edited only when what they
show changes. Everything the help desk writes to staff goes through here,
in the staff language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from bot.channels.telegram.actions import (
    Action,
    CreateTopic,
    EditText,
    EditTopic,
    InlineKeyboard,
    Rejected,
    ReopenTopic,
    Result,
    SendMessage,
    TopicGone,
)
from bot.channels.telegram.delivery import Delivery
from bot.core.i18n import Catalogs
from bot.helpdesk.card import card_text, topic_name
from bot.helpdesk.cases import Case, CaseStore, Status
from bot.storage import DialogStore, load_readable
from conversations.dialog import Dialog, Language
from conversations.text import Param, Text

log = logging.getLogger(__name__)


class Topics:
    def __init__(
        self, delivery: Delivery, cases: CaseStore, store: DialogStore, catalogs: Catalogs, chat_id: int,
        language: Language = "vi",
    ) -> None:
        """`chat_id`: the staff group (STAFF_CHAT_ID); `language`: what staff read (STAFF_LANGUAGE)."""
        self.chat_id = chat_id
        self._delivery = delivery
        self._cases = cases
        self._store = store
        self._catalogs = catalogs
        self._language = language

    def text(self, text: Text) -> str:
        """`text` in the staff language."""
        return self._catalogs.render(text, self._language)

    async def call(self, action: Action) -> Result:
        """One call into the staff group."""
        return await self._delivery.call(self.chat_id, action)

    async def dialog(self, case: Case) -> Dialog | None:
        return await load_readable(self._store, case.citizen)

    async def say(self, case: Case, text: Text, markup: InlineKeyboard | None = None, **params: Param) -> None:
        message = self.text(text.bind(**params))
        await self.in_topic(case, lambda topic: SendMessage(self.chat_id, message, markup, topic))

    async def new_topic(self, case: Case, dialog: Dialog | None) -> None:
        name = topic_name(case, dialog)
        topic = await self.call(CreateTopic(self.chat_id, name))
        assert isinstance(topic, int)
        await self._cases.save(case, topic=topic, topic_name=name, card=0, card_text="")

    async def reopen(self, case: Case) -> None:
        with suppress(Rejected):  # open already, or gone: the next post re-creates it
            await self.call(ReopenTopic(self.chat_id, case.topic))

    async def post_card(self, case: Case, dialog: Dialog | None) -> None:
        """The card, first in a topic made anew when the case's is gone (not `in_topic`: that would post two)."""
        text = card_text(case, dialog, self._catalogs, self._language)
        card: Result = None
        if case.topic:
            with suppress(TopicGone):
                card = await self.call(SendMessage(self.chat_id, text, thread_id=case.topic))
        if card is None:
            await self.new_topic(case, dialog)
            card = await self.call(SendMessage(self.chat_id, text, thread_id=case.topic))
        if isinstance(card, int):
            await self._cases.save(case, card=card, card_text=text)

    async def refresh(self, case: Case, dialog: Dialog | None = None) -> None:
        """Keep the card (and the topic's name) true to the case, editing only what changed."""
        dialog = dialog or await self.dialog(case)
        name = topic_name(case, dialog)
        if case.topic and name != case.topic_name:
            try:
                await self.call(EditTopic(self.chat_id, case.topic, name))
                await self._cases.save(case, topic_name=name)
            except Rejected as error:
                log.info("case %s: topic not renamed: %s", case.id, error)
        text = card_text(case, dialog, self._catalogs, self._language)
        if text == case.card_text:
            return
        if not case.card:
            await self.post_card(case, dialog)
            return
        try:
            await self.call(EditText(self.chat_id, case.card, text))
            await self._cases.save(case, card_text=text)
        except TopicGone:
            if case.status is not Status.CLOSED:  # a closed case's deleted topic is not brought back for its card
                await self._renew(case)  # with a new card
        except Rejected:  # the card was deleted
            await self.post_card(case, dialog)

    async def in_topic(self, case: Case, make: Callable[[int], Action]) -> Result:
        """Make a call in the case's topic; if the topic was deleted or closed, open a new one and try again."""
        if case.topic:
            try:
                return await self.call(make(case.topic))
            except TopicGone:
                log.info("case %s: topic %s is gone; opening a new one", case.id, case.topic)
        await self._renew(case)
        return await self.call(make(case.topic))

    async def _renew(self, case: Case) -> None:
        dialog = await self.dialog(case)
        await self.new_topic(case, dialog)
        await self.post_card(case, dialog)
