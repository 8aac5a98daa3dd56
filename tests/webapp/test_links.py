"""One-time links in Redis: named by a keyed hash, so listing the keys never hands out a usable link."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.core.pseudonyms import Pseudonyms
from bot.storage import DialogKey
from bot.webapp.links import Link, PasswordLinks

CITIZEN = DialogKey("123456", "3001", "3001")


async def test_a_nonce_appears_in_no_key_name_and_opens_its_link_once(redis: Redis) -> None:
    links = PasswordLinks(redis, Pseudonyms(b"tests"))
    nonce = await links.issue(CITIZEN, "vi")
    names = [key.decode() async for key in redis.scan_iter()]
    assert names and not any(nonce in name for name in names)
    values = [await redis.get(name) or b"" for name in names]
    assert not any(nonce.encode() in value for value in values)  # nor in the dialog's pointer to its link
    other_secret = PasswordLinks(redis, Pseudonyms(b"another deployment"))
    assert await other_secret.peek(nonce) is None  # the name needs the secret, not just the nonce
    assert await links.peek(nonce) == Link(CITIZEN, "vi")
    assert await links.consume(nonce) == Link(CITIZEN, "vi")
    assert await links.consume(nonce) is None


async def test_a_link_issued_before_names_were_hashed_still_opens_within_its_ttl(redis: Redis) -> None:
    nonce = "Q2xlYXJseUFuT2xkTm9uY2U"
    await redis.set(PasswordLinks.PREFIX + nonce, "123456 3001 3001 en", ex=900)
    links = PasswordLinks(redis, Pseudonyms(b"tests"))
    assert await links.consume(nonce) == Link(CITIZEN, "en")
    assert await links.peek(nonce) is None


async def test_a_private_chat_s_link_names_its_user_once_and_a_group_member_s_both(redis: Redis) -> None:
    """The record of a link is kept for every dialog at the password step: the chat is left out when it is the
    user's own, and a record written with it (before) opens the same dialog."""
    links = PasswordLinks(redis, Pseudonyms(b"tests"))
    member = DialogKey("123456", "-100200", "3001")
    for dialog in (CITIZEN, member):
        nonce = await links.issue(dialog, "en")
        assert await redis.get(PasswordLinks.PREFIX + links.name(nonce)) == (
            b"123456 3001 en" if dialog is CITIZEN else b"123456 -100200 3001 en")
        assert await links.consume(nonce) == Link(dialog, "en")
