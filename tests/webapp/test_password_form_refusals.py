"""Only the right citizen, once, within minutes, can set the password: every way in that must fail, fails."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from redis.asyncio import Redis

from bot.storage import DialogKey
from bot.webapp.links import PasswordLinks
from tests.botprocess import ON_PTB, link_name, pseudonyms_of
from tests.citizen import PASSWORD, Sandbox
from tests.fakebot.server import FakeBotAPI
from tests.webapp.conftest import AtPasswordStep, form_button

pytestmark = ON_PTB

OTHER_BOT = "654321:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"


async def submit(url: str, **body: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(url.split("?")[0], json=body) as response:
        return response.status, await response.json()


async def test_forged_stale_and_alien_launch_data_are_refused_and_another_users_kills_the_link(
    at_password_step: AtPasswordStep,
) -> None:
    form = at_password_step
    base = {"nonce": form.nonce, "password": PASSWORD, "confirmation": PASSWORD}
    forged = form.init_data().replace("hash=", "hash=0")
    for init_data in (
        forged,
        form.init_data(token=OTHER_BOT),
        form.init_data(age=3700),
        form.init_data().replace("hash=", "hash=é"),  # not ASCII: refused, not a 500
    ):
        code, answer = await submit(form.form_url, init_data=init_data, **base)
        assert (code, answer["ok"]) == (403, False), answer
        assert answer["message"]
    # none of them spent the link; another Telegram account's launch data (a forwarded link) kills it, and the
    # citizen is told in the chat, with a new one
    code, answer = await submit(form.form_url, init_data=form.init_data(user_id=999_999), **base)
    assert (code, answer["ok"]) == (403, False) and "đã bị hủy" in answer["message"]
    await form.citizen.wait_for_reply("tài khoản Telegram khác")
    code, _answer = await submit(form.form_url, init_data=form.init_data(), **base)
    assert code == 410
    renewed = form_button(form.citizen)
    nonce = parse_qs(urlsplit(renewed).query)["n"][0]
    code, answer = await submit(renewed, init_data=form.init_data(), **{**base, "nonce": nonce})
    assert (code, answer["ok"]) == (200, True)


async def test_weak_mismatched_and_common_passwords_are_explained_without_spending_the_link(
    at_password_step: AtPasswordStep,
) -> None:
    form = at_password_step
    for password, confirmation, expected in (
        ("abc", "abc", "ít nhất 8"),
        (PASSWORD, PASSWORD + "!", "không giống nhau"),
        ("P@ssw0rd", "P@ssw0rd", "quá dễ đoán"),
        ("Nguyen@1990", "Nguyen@1990", "quá dễ đoán"),  # built from the citizen's own details
    ):
        code, answer = await submit(form.form_url, nonce=form.nonce, init_data=form.init_data(),
                                    password=password, confirmation=confirmation)
        assert code == 422 and any(expected in problem for problem in answer["problems"]), answer
    code, _answer = await submit(form.form_url, nonce=form.nonce, init_data=form.init_data(), password=PASSWORD,
                                 confirmation=PASSWORD)
    assert code == 200


async def test_a_browser_without_launch_data_sets_the_password_only_once_its_code_is_sent_in_the_chat(
    at_password_step: AtPasswordStep,
) -> None:
    """A forwarded link, a proxy's log: the nonce alone proves nothing, so the page shows a code that must come
    back in the chat, from the citizen's own account."""
    form = at_password_step
    body = {"nonce": form.nonce, "init_data": "", "password": PASSWORD, "confirmation": PASSWORD}
    code, answer = await submit(form.form_url, **body)
    assert code == 202 and answer["waiting"] and "5 phút" in answer["message"]
    await form.citizen.wait_for_reply("mở trong một trình duyệt")
    again, waiting = await submit(form.form_url, **body)  # the page asks again: still waiting, the same code
    assert again == 202 and "code" not in waiting
    await form.citizen.send_text(answer["code"].lower())
    await form.citizen.wait_for_reply("mã đúng")
    code, answer = await submit(form.form_url, **body)
    assert (code, answer["ok"]) == (200, True)
    await form.citizen.wait_for_reply("Tài khoản của bạn đã sẵn sàng")


async def test_a_wrong_code_in_the_chat_kills_the_browsers_link(at_password_step: AtPasswordStep) -> None:
    form = at_password_step
    body = {"nonce": form.nonce, "init_data": "", "password": PASSWORD, "confirmation": PASSWORD}
    code, answer = await submit(form.form_url, **body)
    assert code == 202
    await form.citizen.send_text("ZZZ-999" if answer["code"] != "ZZZ-999" else "YYY-888")
    await form.citizen.wait_for_reply("đã hủy đường liên kết đó")
    assert (await submit(form.form_url, **body))[0] == 410  # the new link killed the one the browser had


async def test_a_used_link_cannot_be_replayed(at_password_step: AtPasswordStep, sandbox: Sandbox) -> None:
    form = at_password_step
    body = {"nonce": form.nonce, "init_data": form.init_data(), "password": PASSWORD, "confirmation": PASSWORD}
    assert (await submit(form.form_url, **body))[0] == 200
    code, answer = await submit(form.form_url, **body)
    assert code == 410 and "hết hạn" in answer["message"]


async def test_an_expired_or_replaced_link_is_refused(
    at_password_step: AtPasswordStep, redis: Redis, fake_api: FakeBotAPI,
) -> None:
    form = at_password_step
    body = {"init_data": form.init_data(), "password": PASSWORD, "confirmation": PASSWORD}
    old = form.nonce
    await form.citizen.press("Gửi liên kết mới")
    await form.citizen.wait_for_reply("liên kết mới")
    fresh = form_button(form.citizen)
    assert fresh != form.form_url
    assert (await submit(form.form_url, nonce=old, **body))[0] == 410  # the new link killed the old one
    new_nonce = fresh.split("n=")[1]
    await redis.pexpire(PasswordLinks.PREFIX + link_name(form.bot, new_nonce), 1)  # fifteen minutes pass
    assert (await submit(fresh, nonce=new_nonce, **body))[0] == 410


async def test_a_link_for_a_dialog_not_at_the_password_step_is_refused(
    at_password_step: AtPasswordStep, redis: Redis, fake_api: FakeBotAPI,
) -> None:
    form = at_password_step
    elsewhere = DialogKey(str(fake_api.bot_id), "4242", "4242")  # a dialog that never reached the password
    nonce = await PasswordLinks(redis, pseudonyms_of(form.bot)).issue(elsewhere, "en")
    code, answer = await submit(form.form_url, nonce=nonce, init_data="", password=PASSWORD, confirmation=PASSWORD)
    assert code == 409 and "not waiting for a password" in answer["message"]


async def test_submissions_are_limited_per_link(at_password_step: AtPasswordStep) -> None:
    form = at_password_step
    statuses = [
        (await submit(form.form_url, nonce=form.nonce, init_data="", password="P@ssw0rd", confirmation="P@ssw0rd"))[0]
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429  # guessing through one link stops at ten tries
