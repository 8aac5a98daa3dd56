"""`regbot console`: the registration flow in a terminal, on the same tree, store and portal.

Buttons are shown as numbered choices; typing the number presses the
button, typing the path of an image file sends that picture (a photo of a
CCCD card's QR code, at the ID step), typing anything else is an answer,
`/command` is a command. The
password is never typed here: at that step the console shows a one-time
link to the same password page the Telegram Mini App opens, served on
HOST:PORT, and the result appears here when the form is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bot.core.answer import Answer, Rendered, SayResult
from bot.core.i18n import Catalogs
from bot.core.incoming import Incoming
from bot.core.switchboard import Switchboard
from bot.core.texts import OPEN_FORM
from bot.idcard.card_photos import NotFetched, read_picture
from bot.storage import DialogKey
from bot.webapp.links import PasswordLinks
from conversations.events import Command, Event, Picture, Pressed, Said, read_command

CHANNEL = "console"  # the `DialogKey.bot` of the console's dialogs
QUIT = {"/quit", "/exit"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}  # what bot/idcard/qr_image.py opens (its FORMATS)


def read_event(line: str, reply: Rendered) -> Event | None:
    """What a typed console line means, given the reply it answers; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    buttons = [button for row in reply.buttons for button in row]
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(buttons):
        return Pressed(buttons[int(text) - 1].id)
    picture = _picture_at(text)
    if picture is not None:
        return picture
    return read_command(text) or Said(line)


def _picture_at(text: str) -> Picture | None:
    """A typed path to an existing file (with a separator or an image's suffix: a name is never a path)."""
    path = Path(text).expanduser()
    if not ("/" in text or path.suffix.lower() in IMAGE_SUFFIXES) or not path.is_file():
        return None
    return Picture("document", partial(read_picture, partial(_read_file, path), path.stat().st_size))


async def _read_file(path: Path) -> bytes:
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise NotFetched(str(error)) from error


def show(reply: Rendered) -> str:
    lines = [reply.text]
    buttons = [button for row in reply.buttons for button in row]
    lines += [f"  [{number}] {button.label}" for number, button in enumerate(buttons, 1)]
    return "\n".join(lines)


class ConsoleReplies:
    """The console's way out: each reply printed with its buttons numbered, the password form's link shown.
    The password form's answer arrives here too, since its dialog is a console one."""

    deletes_messages = False  # what was typed stays on the terminal

    def __init__(
        self, catalogs: Catalogs, links: PasswordLinks, form_url: str, write: Callable[[str], None] = print,
    ) -> None:
        self._catalogs = catalogs
        self._links = links
        self._form_url = form_url
        self._write = write
        self.last: Rendered | None = None  # the reply a typed number answers

    async def answer(self, incoming: Incoming, answer: Answer) -> SayResult:
        for reply in answer.replies:
            await self.say(incoming.key, reply)
            if reply.ask_password:
                url = await self._links.new_url(self._form_url, incoming.key, answer.language)
                self._write(f"  {self._catalogs.render(OPEN_FORM, answer.language)}: {url}")
        if answer.replies:
            self.last = answer.replies[-1]
        return SayResult.DELIVERED

    async def notice(self, incoming: Incoming, text: str | None) -> None:
        if text is not None:
            self._write("\n" + text)

    async def say(self, key: DialogKey, reply: Rendered) -> SayResult:
        self._write("\n" + show(reply))
        return SayResult.DELIVERED


class Console:
    """The console's way in: typed lines read into events for one dialog, until end of input or /quit."""

    def __init__(
        self, switchboard: Switchboard, replies: ConsoleReplies, key: DialogKey, read: Callable[[str], str] = input,
    ) -> None:
        self._switchboard = switchboard
        self._replies = replies
        self._key = key
        self._read = read

    async def run(self) -> None:
        await self._switchboard.handle(Incoming(self._key, Command("start")))
        while True:
            try:
                line = await asyncio.to_thread(self._read, "> ")
            except EOFError:
                return
            if line.strip() in QUIT:
                return
            event = read_event(line, self._replies.last or Rendered(()))
            if event is not None:
                await self._switchboard.handle(Incoming(self._key, event))
