"""`regbot console`: the registration flow in a terminal, on the same tree, store and portal.

Buttons are shown as numbered choices; typing the number presses the
button, typing anything else is an answer, `/command` is a command. The
password is read with a hidden prompt and handed to the flow in memory.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable

from bot.assistant import Assistant, Handled, Rendered
from bot.storage import DialogKey
from conversations.events import Command, Event, PasswordChosen, Pressed, Said, read_command

QUIT = {"/quit", "/exit"}


def read_event(line: str, reply: Rendered) -> Event:
    """What a typed console line means, given the reply it answers."""
    text = line.strip()
    buttons = [button for row in reply.buttons for button in row]
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(buttons):
        return Pressed(buttons[int(text) - 1].id)
    return read_command(text) or Said(line)


def show(reply: Rendered) -> str:
    lines = [reply.text]
    buttons = [button for row in reply.buttons for button in row]
    lines += [f"  [{number}] {button.label}" for number, button in enumerate(buttons, 1)]
    if reply.ask_password:
        lines.append("  (Enter ↵ = hidden password prompt / nhập mật khẩu ẩn)")
    return "\n".join(lines)


class Console:
    def __init__(
        self,
        assistant: Assistant,
        key: DialogKey,
        read: Callable[[str], str] = input,
        write: Callable[[str], None] = print,
        read_secret: Callable[[str], str] = getpass.getpass,
    ) -> None:
        self._assistant = assistant
        self._key = key
        self._read = read
        self._write = write
        self._read_secret = read_secret

    async def run(self) -> None:
        handled = await self._assistant.handle(self._key, Command("start"))
        while True:
            self._show(handled)
            event = await self._next_event(handled.replies[-1])
            if event is None:
                return
            handled = await self._assistant.handle(self._key, event)

    def _show(self, handled: Handled) -> None:
        for reply in handled.replies:
            self._write("\n" + show(reply))

    async def _next_event(self, reply: Rendered) -> Event | None:
        try:
            line = await asyncio.to_thread(self._read, "> ")
        except EOFError:
            return None
        if line.strip() in QUIT:
            return None
        if reply.ask_password and not line.strip():
            password = await asyncio.to_thread(self._read_secret, "Mật khẩu / Password: ")
            confirmation = await asyncio.to_thread(self._read_secret, "Nhập lại / Again: ")
            return PasswordChosen(password, confirmation)
        return read_event(line, reply)
