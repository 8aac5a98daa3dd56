"""Who is staff: the members of the staff group, as Telegram says (getChatMember), remembered briefly.

A person's status in the group (member, administrator, creator, left…) is
asked at most once a minute, so a busy topic does not cost a Bot API call per
message, and someone removed from the group, or no longer one of its
administrators, loses access within that minute. Members are staff; the
group's administrators (and its creator) may also see a citizen's details
in full (`/reveal`). Staff are also remembered by @username so
`/transfer @colleague` can name them (the Bot API cannot look a user up by
username).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from bot.channels.telegram.actions import Rejected, Result
from bot.channels.telegram.updates import Person
from bot.storage import DialogKey
from bot.storage.keys import DeskKeys

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({"creator", "administrator"})
MEMBER_STATUSES = ADMIN_STATUSES | {"member"}


class StaffRoster:
    def __init__(self, redis: Redis, bot_id: int, ask: Callable[[int], Awaitable[Result]],
                 ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = redis
        self._bot = str(bot_id)
        self._names_key = DeskKeys(bot_id).staff
        self._ask = ask  # the member status of a user in the staff group
        self._ttl = ttl
        self._clock = clock
        self._known: dict[int, tuple[str | None, float]] = {}  # status, and until when it is believed

    async def is_staff(self, key: DialogKey) -> bool:
        """Whether the sender of a dialog is staff: only this bot's own Telegram users can be."""
        return key.bot == self._bot and await self.is_member(Person(int(key.user), ""))

    async def is_member(self, person: Person) -> bool:
        """A member of the staff group."""
        return await self._status(person) in MEMBER_STATUSES

    async def is_admin(self, person: Person) -> bool:
        """An administrator (or the creator) of the staff group: who may see a citizen's details in full."""
        return await self._status(person) in ADMIN_STATUSES

    async def _status(self, person: Person) -> str | None:
        """The person's status in the staff group, asked once a minute at most, whatever is asked of it."""
        now = self._clock()
        known = self._known.get(person.id)
        if known is not None and known[1] > now:
            return known[0]
        status: str | None
        try:
            result = await self._ask(person.id)
            status = result if isinstance(result, str) else None
        except Rejected as error:  # "user not found" and the like
            log.info("staff check for %s refused: %s", person.id, error)
            status = None
        self._known[person.id] = (status, now + self._ttl)
        if status in MEMBER_STATUSES and person.username:
            await self._redis.hset(self._names_key, person.username.lower(),
                                   json.dumps([person.id, person.first_name]))
        return status

    async def by_username(self, username: str) -> Person | None:
        raw = await self._redis.hget(self._names_key, username.removeprefix("@").lower())
        if raw is None:
            return None
        user_id, first_name = json.loads(raw)
        return Person(int(user_id), str(first_name), username.removeprefix("@"))
