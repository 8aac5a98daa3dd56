"""What each error of the Zalo OA API means for the bot, one exception per meaning.

The API answers every failure with HTTP 200 and a negative `error`
(../shared/ZALO.md has the table). The caller acts on the meaning, not the
number: a citizen who no longer follows the OA is like a Telegram user who
blocked the bot (stop writing to them); outside the 7-day window nothing can
be sent until they write again; a rate limit is waited out; a refused token
is refreshed once (bot/channels/zalo/api.py does both); the rest are a fault
of ours or of the OA's plan, for the operator's log.
"""

from __future__ import annotations


class ZaloApiError(Exception):
    """A call the OA API refused (`code` as Zalo gave it, 0 when it never answered)."""

    meaning = "refused"

    def __init__(self, code: int, description: str = "") -> None:
        super().__init__(f"Zalo error {code}: {description}" if description else f"Zalo error {code}")
        self.code = code
        self.description = description


class NotFollowing(ZaloApiError):
    """The citizen does not follow the OA, is banned, or has been inactive for 45 days: as a Telegram user who
    blocked the bot, nothing more is sent to them until they write again."""

    meaning = "not following"


class WindowClosed(ZaloApiError):
    """No interaction from the citizen in the last 7 days: no consultation message may go until they write."""

    meaning = "window closed"


class RateLimited(ZaloApiError):
    """Sent too fast: back off and try again."""

    meaning = "rate limited"


class TokenRefused(ZaloApiError):
    """The access token is invalid or has expired: refresh it once and try again."""

    meaning = "token refused"


class QuotaExhausted(ZaloApiError):
    """The OA's message quota is used up: an operator's matter (its plan), nothing a retry mends."""

    meaning = "out of quota"


class NotAllowed(ZaloApiError):
    """The OA's package does not allow this call: an operator's matter."""

    meaning = "not allowed"


class BadRequest(ZaloApiError):
    """The API refused what we sent (a bad parameter, an unsupported message type, a retired API): our bug."""

    meaning = "bad request"


class Unavailable(ZaloApiError):
    """The API could not be reached or gave no readable answer, after the retries."""

    meaning = "unavailable"


MEANINGS: dict[int, type[ZaloApiError]] = {
    -32: RateLimited,
    -201: BadRequest,
    -211: QuotaExhausted,
    -213: NotFollowing,
    -216: TokenRefused,
    -220: TokenRefused,
    -224: NotAllowed,
    -227: NotFollowing,
    -230: WindowClosed,
    -232: WindowClosed,
    -233: BadRequest,
    -240: BadRequest,
}


def error_for(code: int, description: str = "") -> ZaloApiError:
    """The exception for an API error code; a code not in the table is taken for a request of ours it refused."""
    return MEANINGS.get(code, BadRequest)(code, description)
