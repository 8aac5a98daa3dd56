"""Zalo's OAuth refresh: a single-use refresh token in, a new access and refresh token out.

`POST /v4/oa/access_token`, form-encoded, the app secret in the `secret_key`
header. The refresh token given is spent by the call, so a call is never
repeated here: if its answer is lost, so is the new pair (the next refresh
then fails with the spent token, and the operator sets a new
ZALO_REFRESH_TOKEN). Who may call it, and when, is tokens.py's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import orjson

from bot.channels.zalo import assumptions
from bot.channels.zalo.errors import Unavailable, ZaloApiError

REFRESH = "/v4/oa/access_token"


class RefreshRefused(ZaloApiError):
    """Zalo refused the refresh token (spent, expired or unknown): a new ZALO_REFRESH_TOKEN is needed."""

    meaning = "refresh token refused"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: str = field(repr=False)
    refresh: str = field(repr=False)
    expires_at: float  # epoch seconds; 0: not known (a ZALO_ACCESS_TOKEN given by hand)


class OAuth:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, app_id: str, app_secret: str,
                 clock: Callable[[], float], timeout: float = 10.0) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + REFRESH
        self._app_id = app_id
        self._secret = app_secret
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Spend `refresh_token` for a new pair."""
        form = {"app_id": self._app_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            async with self._session.post(self._url, data=form, headers={"secret_key": self._secret},
                                          timeout=self._timeout) as response:
                raw = await response.read()
                if response.status >= 500:
                    raise Unavailable(0, f"HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Unavailable(0, type(error).__name__) from None
        try:
            answer = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise Unavailable(0, "a refresh answer that is not JSON") from None
        if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
            code = int(answer.get("error", 0) or 0) if isinstance(answer, dict) else 0
            reason = str(answer.get("error_reason") or answer.get("error_description") or "") \
                if isinstance(answer, dict) else ""
            raise RefreshRefused(code, reason)
        try:
            lifetime = float(answer.get("expires_in", ""))  # a string of seconds ("90000")
        except ValueError:
            lifetime = assumptions.ACCESS_TOKEN_LIFETIME
        return TokenPair(str(answer["access_token"]), str(answer["refresh_token"]), self._clock() + lifetime)
