"""The OA's access token, shared by every worker, and its single-use refresh token rotated by one at a time.

Each refresh spends the refresh token it uses and returns a new one, so two
workers refreshing at once would leave one of them holding a dead token,
and a pair kept in one process's memory would die with it. So the pair
lives in Redis (`ZaloKeys.tokens`), sealed like personal data, and a worker
refreshes only while it holds `ZaloKeys.token_lock`. Having taken the lock
it reads the pair again: when another worker rotated it meanwhile (its
access token is not the one that was refused, and is not about to expire),
it uses that pair and spends nothing. The access token is refreshed
`REFRESH_BEFORE` its expiry, and at once when the API refuses it.

ZALO_REFRESH_TOKEN (and ZALO_ACCESS_TOKEN) only seed the pair: once Redis
holds one, they are not used again, except that the pair remembers which
ZALO_REFRESH_TOKEN it grew from, so an operator who sets a new one (the
old chain broken: a refresh whose answer was lost) starts a new chain.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from redis.asyncio import Redis

from bot.channels.zalo.errors import Unavailable
from bot.channels.zalo.oauth import OAuth, TokenPair
from bot.storage.keys import ZaloKeys
from bot.storage.sealing import Sealer, Unsealable

log = logging.getLogger(__name__)

REFRESH_BEFORE = 600.0  # seconds before the access token expires that it is refreshed
KEEP_ALIVE = 23 * 3600.0  # a pair no worker refreshed for this long is refreshed, used or not: at least daily
KEEP_ALIVE_CHECK = 3600.0  # seconds between a worker's looks at the pair's age
LOCK_TTL = 30.0  # seconds the rotation's lock lasts if its holder dies: longer than OAuth's timeout (10 s)
WAIT_STEP = 0.05  # seconds between looks at a lock another worker holds

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Seed:
    """What the operator configured: the first refresh token, perhaps an access token to start with."""

    refresh: str = field(repr=False)
    access: str | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        """Names the chain a stored pair grew from, without keeping the (spent) token itself."""
        return hashlib.sha256(b"zalo refresh token " + self.refresh.encode()).hexdigest()[:16]


class SharedTokens:
    """`bot.channels.zalo.api.AccessTokens` kept in Redis for all workers."""

    def __init__(self, redis: Redis, sealer: Sealer, keys: ZaloKeys, oauth: OAuth, seed: Seed,
                 clock: Callable[[], float] = time.time, lock_ttl: float = LOCK_TTL) -> None:
        self._redis = redis
        self._sealer = sealer
        self._keys = keys
        self._oauth = oauth
        self._seed = seed
        self._clock = clock
        self._lock_ttl = lock_ttl
        self._pair: TokenPair | None = None  # this worker's copy, read again when it is due or refused
        self._rotating: asyncio.Lock = asyncio.Lock()  # one rotation at a time in this worker

    async def current(self) -> str:
        pair = self._pair
        if pair is None or self._due(pair):
            pair = await self._rotated(stale=pair.access if pair else None)
        return pair.access

    async def refreshed(self, stale: str) -> str:
        return (await self._rotated(stale)).access

    async def keep_alive(self) -> None:
        """Refresh the pair if no worker has for KEEP_ALIVE: a refresh token unused for about 3 months dies, and an
        OA that sent nothing for that long would have to be given a new one by hand."""
        await self._rotated(None, max_age=KEEP_ALIVE)

    def _due(self, pair: TokenPair) -> bool:
        return bool(pair.expires_at) and self._clock() >= pair.expires_at - REFRESH_BEFORE

    async def _rotated(self, stale: str | None, max_age: float | None = None) -> TokenPair:
        """A pair whose access token is not `stale` nor due (nor, with `max_age`, refreshed longer ago than that):
        the stored one if it is, else a new one."""

        def usable(kept: tuple[TokenPair, float] | None) -> TokenPair | None:
            if kept is None:
                return None
            pair, refreshed_at = kept
            if pair.access == stale or self._due(pair):
                return None
            return pair if max_age is None or self._clock() - refreshed_at < max_age else None

        async with self._rotating:
            if (stored := usable(await self._stored())) is not None:
                self._pair = stored
                return stored
            async with self._locked():
                kept = await self._stored()  # again: the worker that held the lock may have rotated it
                if (stored := usable(kept)) is not None:
                    self._pair = stored
                    return stored
                stored = kept[0] if kept is not None else None
                if stored is None and self._seed.access and stale != self._seed.access:
                    pair = TokenPair(self._seed.access, self._seed.refresh, 0.0)
                else:
                    pair = await self._oauth.refresh(stored.refresh if stored else self._seed.refresh)
                    log.info("Zalo: access token refreshed; the next refresh token is kept in Redis")
                await self._store(pair)
                self._pair = pair
                return pair

    async def _stored(self) -> tuple[TokenPair, float] | None:
        """The stored pair, and when it was stored (0: by a release that did not say)."""
        sealed = await self._redis.get(self._keys.tokens)
        if not isinstance(sealed, bytes):  # none yet (the client gives bytes: decode_responses is off)
            return None
        try:
            record = orjson.loads(self._sealer.open(sealed))
        except Unsealable:
            log.error("Zalo: the stored tokens were sealed with a key no longer configured; starting again "
                      "from ZALO_REFRESH_TOKEN")
            return None
        if record.get("origin") != self._seed.origin:
            log.warning("Zalo: ZALO_REFRESH_TOKEN changed since the stored pair grew from it; starting from it")
            return None
        return TokenPair(record["access"], record["refresh"], float(record["expires_at"])), float(
            record.get("refreshed_at", 0.0))

    async def _store(self, pair: TokenPair) -> None:
        record = {"access": pair.access, "refresh": pair.refresh, "expires_at": pair.expires_at,
                  "origin": self._seed.origin, "refreshed_at": self._clock()}
        await self._redis.set(self._keys.tokens, self._sealer.seal(orjson.dumps(record)))

    def _locked(self) -> _RotationLock:
        return _RotationLock(self._redis, self._keys.token_lock, self._lock_ttl)


async def keep_tokens_alive(tokens: SharedTokens, every: float = KEEP_ALIVE_CHECK) -> None:
    """Run until cancelled: every `every` seconds, the pair refreshed if no worker has for KEEP_ALIVE (one worker
    does, under the rotation's lock; the others find it fresh)."""
    while True:
        await asyncio.sleep(every)
        try:
            await tokens.keep_alive()
        except Exception as error:  # Zalo or Redis unreachable, the chain refused: said, and tried again next time
            log.warning("Zalo: the token pair could not be kept alive (%s); trying again in %.0f s",
                        type(error).__name__, every)


class _RotationLock:
    """The cross-worker lock: taken when free (waiting while another worker holds it), released only if ours."""

    def __init__(self, redis: Redis, key: str, ttl: float) -> None:
        self._redis, self._key, self._ttl = redis, key, ttl
        self._token = secrets.token_hex(8)

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._ttl  # a holder that died frees it by then
        while not await self._redis.set(self._key, self._token, nx=True, px=int(self._ttl * 1000)):
            if loop.time() >= deadline:
                raise Unavailable(0, "another worker has held the token refresh for too long")
            await asyncio.sleep(WAIT_STEP)

    async def __aexit__(self, *_: object) -> None:
        await self._redis.eval(_RELEASE, 1, self._key, self._token)
