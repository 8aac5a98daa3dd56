"""The Zalo API client against the fake OA over real HTTP: what the citizen receives, and each error's meaning."""

from __future__ import annotations

import aiohttp
import pytest

from bot.channels.zalo import assumptions
from bot.channels.zalo.api import Button, ZaloApi, image_limit
from bot.channels.zalo.errors import (
    MEANINGS,
    BadRequest,
    NotFollowing,
    RateLimited,
    TokenRefused,
    Unavailable,
    WindowClosed,
    ZaloApiError,
)
from bot.channels.zalo.pace import SendPace
from bot.channels.zalo.payloads import press_payload, pressed_button
from bot.core.answer import SayResult
from bot.core.i18n import Catalogs
from bot.helpdesk.texts import UNDELIVERED
from tests.clock import ManualClock
from tests.fakezalo import FakeZaloOA

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
CITIZEN = "8412345"


class IssuedTokens:
    """Access tokens as the OA's admin page hands them out; the rotation itself is tests/zalo/test_tokens.py's."""

    def __init__(self, oa: FakeZaloOA, token: str | None = None) -> None:
        self.oa = oa
        self.token = token or oa.issue_access_token()
        self.refreshes = 0

    async def current(self) -> str:
        return self.token

    async def refreshed(self, stale: str) -> str:
        self.refreshes += 1
        self.token = self.oa.issue_access_token()
        return self.token


class Pauses:
    """SendPace's sleep, recorded instead of slept."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
def tokens(oa: FakeZaloOA) -> IssuedTokens:
    return IssuedTokens(oa)


@pytest.fixture
def api(oa: FakeZaloOA, http: aiohttp.ClientSession, tokens: IssuedTokens, pauses: Pauses,
        clock: ManualClock) -> ZaloApi:
    oa.world.interacted(CITIZEN, clock())
    return ZaloApi(http, oa.base_url, tokens, SendPace(sleep=pauses), backoff=0.001)


async def test_text_and_buttons_reach_the_citizen_with_hidden_payloads(api: ZaloApi, oa: FakeZaloOA) -> None:
    await api.send_text(CITIZEN, "Xin chào")
    await api.send_buttons(CITIZEN, "Bạn đồng ý?", [Button("Tôi đồng ý", press_payload("consent:yes"))])
    text, question = oa.sent_to(CITIZEN)
    assert text.text == "Xin chào"
    assert question.text == "Bạn đồng ý?"
    assert [(b.type, b.title, b.payload) for b in question.buttons] == [
        ("oa.query.hide", "Tôi đồng ý", "#btn:consent:yes")]
    assert pressed_button(question.buttons[0].payload) == "consent:yes"
    assert pressed_button("0821234088") is None


async def test_more_than_five_buttons_or_over_long_text_is_the_caller_s_mistake(api: ZaloApi) -> None:
    with pytest.raises(ValueError, match="numbered list"):
        await api.send_buttons(CITIZEN, "?", [Button(str(n), press_payload(str(n))) for n in range(6)])
    with pytest.raises(ValueError, match="split it first"):
        await api.send_text(CITIZEN, "x" * 2001)


async def test_the_phone_is_asked_with_zalo_s_own_form(api: ZaloApi, oa: FakeZaloOA) -> None:
    await api.request_user_info(CITIZEN, "Số điện thoại", "Chia sẻ số của bạn", "https://example.vn/p.png")
    (form,) = oa.sent_to(CITIZEN)
    assert form.kind == "request_user_info"
    assert form.element == {"title": "Số điện thoại", "subtitle": "Chia sẻ số của bạn",
                            "image_url": "https://example.vn/p.png"}


async def test_an_image_is_uploaded_then_sent(api: ZaloApi, oa: FakeZaloOA, clock: ManualClock) -> None:
    await api.send_image(CITIZEN, PNG, "image/png", caption="Ảnh từ cán bộ")
    (image,) = oa.sent_to(CITIZEN)
    assert image.kind == "image" and image.text == "Ảnh từ cán bộ"
    assert image.attachment_id is not None and oa.world.attachment(image.attachment_id, clock()) == PNG


async def test_the_image_limit_is_named_from_the_assumption_wherever_it_is_said(
    api: ZaloApi, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Staff told a picture is too large read the limit assumptions.IMAGE_MAX_BYTES sets, in both languages."""
    catalogs = Catalogs()
    too_large = UNDELIVERED[SayResult.PICTURE_TOO_LARGE]
    assert "tối đa 1 MB." in catalogs.render(too_large, "vi")
    assert "at most 1 MB." in catalogs.render(too_large, "en")
    monkeypatch.setattr(assumptions, "IMAGE_MAX_BYTES", 512 * 1024)
    assert image_limit() == "0.5 MB"
    with pytest.raises(ValueError, match=r"at most 0\.5 MB"):
        await api.send_image(CITIZEN, PNG + b"\0" * 512 * 1024, "image/png")


@pytest.mark.parametrize("code", sorted(MEANINGS))
async def test_every_error_code_has_its_meaning(api: ZaloApi, oa: FakeZaloOA, code: int) -> None:
    if MEANINGS[code] in (TokenRefused, RateLimited):  # handled by the client: refused until it gives up
        oa.fail_next("/v3.0/oa/message/cs", code, times=10)
    else:
        oa.fail_next("/v3.0/oa/message/cs", code)
    with pytest.raises(MEANINGS[code]) as raised:
        await api.send_text(CITIZEN, "x")
    assert raised.value.code == code


async def test_an_unknown_code_is_taken_for_a_bad_request(api: ZaloApi, oa: FakeZaloOA) -> None:
    oa.fail_next("/v3.0/oa/message/cs", -999)
    with pytest.raises(BadRequest):
        await api.send_text(CITIZEN, "x")


async def test_an_expired_token_is_refreshed_once_and_the_message_sent(
    api: ZaloApi, oa: FakeZaloOA, tokens: IssuedTokens, clock: ManualClock,
) -> None:
    clock.advance(90000)
    oa.world.interacted(CITIZEN, clock())
    await api.send_text(CITIZEN, "vẫn đến")
    assert tokens.refreshes == 1
    assert [message.text for message in oa.sent_to(CITIZEN)] == ["vẫn đến"]
    assert [code for path, code in oa.calls] == [-220, 0]


async def test_a_token_refused_again_after_its_refresh_is_not_refreshed_twice(
    api: ZaloApi, oa: FakeZaloOA, tokens: IssuedTokens,
) -> None:
    oa.fail_next("/v3.0/oa/message/cs", -216, times=2)
    with pytest.raises(TokenRefused):
        await api.send_text(CITIZEN, "x")
    assert tokens.refreshes == 1


async def test_a_rate_limit_pauses_sending_and_the_message_still_goes(
    api: ZaloApi, oa: FakeZaloOA, pauses: Pauses,
) -> None:
    oa.fail_next("/v3.0/oa/message/cs", -32, times=2)
    await api.send_text(CITIZEN, "sau khi chờ")
    assert [message.text for message in oa.sent_to(CITIZEN)] == ["sau khi chờ"]
    assert len(pauses.taken) == 2 and pauses.taken[1] > pauses.taken[0] > 0.9  # doubled, from RATE_LIMIT_PAUSE (1 s)


async def test_outside_the_7_day_window_and_after_unfollowing_nothing_is_sent(
    api: ZaloApi, oa: FakeZaloOA, clock: ManualClock, tokens: IssuedTokens,
) -> None:
    clock.advance(7 * 24 * 3600 + 60)
    tokens.token = oa.issue_access_token()
    with pytest.raises(WindowClosed):
        await api.send_text(CITIZEN, "nhắc nhở")
    oa.world.interacted(CITIZEN, clock())
    oa.world.follower(CITIZEN).follows = False
    with pytest.raises(NotFollowing):
        await api.send_text(CITIZEN, "x")
    assert oa.sent_to(CITIZEN) == []


async def test_an_api_that_cannot_be_reached_is_unavailable_after_the_retries(
    http: aiohttp.ClientSession, oa: FakeZaloOA, pauses: Pauses,
) -> None:
    gone = ZaloApi(http, "http://127.0.0.1:9", IssuedTokens(oa), SendPace(sleep=pauses), backoff=0.001)
    with pytest.raises(Unavailable) as raised:
        await gone.send_text(CITIZEN, "x")
    assert isinstance(raised.value, ZaloApiError) and raised.value.meaning == "unavailable"
