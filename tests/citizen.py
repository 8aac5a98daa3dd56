"""Test helpers that act like a citizen: type, press buttons, read the SMS outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp
from redis.asyncio import Redis

from bot.core.answer import Handled, Rendered
from bot.core.assistant import Assistant
from bot.storage import DialogKey
from conversations.dialog import Dialog, Language, StepName
from conversations.events import Command, Event, PasswordChosen, Pressed, Said

ID_NUMBER = "001090012345"  # Hà Nội, male, born 19(90)
NAME = "Nguyễn Văn An"
BIRTH = "05/09/1990"
PHONE = "0821234088"
PHONE_E164 = "+84821234088"
EMAIL = "an.nguyen@gmail.com"
PASSWORD = "Sao-Mai#2026"


@dataclass(frozen=True, slots=True)
class Particulars:
    """What a citizen answers at steps 1–5, as typed; the defaults are the sample answers above."""

    id_number: str = ID_NUMBER
    full_name: str = NAME
    birth: str = BIRTH  # dd/mm/yyyy
    phone: str = PHONE  # 0…, the national form
    email: str = EMAIL

    @property
    def phone_e164(self) -> str:
        return "+84" + self.phone.removeprefix("0")


SAMPLE = Particulars()


class Sandbox:
    """The sandbox portal's test endpoints, over real HTTP; `api_key`: the portal's (PORTAL_API_KEY), which
    guards `/sandbox/*` as it guards the API."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Sandbox:
        self._session = aiohttp.ClientSession(headers=self._headers)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    async def outbox(self, phone: str = PHONE_E164) -> list[dict[str, str]]:
        assert self._session is not None
        async with self._session.get(f"{self.url}/sandbox/outbox", params={"phone": phone}) as response:
            response.raise_for_status()
            return list(await response.json())

    async def last_code(self, phone: str = PHONE_E164) -> str:
        messages = await self.outbox(phone)
        assert messages, f"no SMS sent to {phone}"
        match = re.search(r"\b(\d{6})\b", messages[-1]["text"])
        assert match, messages[-1]
        return match.group(1)

    async def seed(self, path: str, **body: str) -> None:
        assert self._session is not None
        async with self._session.post(f"{self.url}/sandbox/{path}", json=body) as response:
            response.raise_for_status()

    async def arm_fault(self, **fault: object) -> None:
        """Make the next calls slow or failing (`POST /sandbox/faults`, test only)."""
        assert self._session is not None
        async with self._session.post(f"{self.url}/sandbox/faults", json=fault) as response:
            assert response.status == 201, await response.text()

    async def calls(self) -> dict[str, int]:
        """How many calls each API operation received."""
        assert self._session is not None
        async with self._session.get(f"{self.url}/sandbox/faults") as response:
            return dict((await response.json())["calls"])

    async def set_clock(self, offset: float) -> None:
        """Run the portal's clock `offset` seconds ahead (`POST /sandbox/clock`, test only)."""
        assert self._session is not None
        async with self._session.post(f"{self.url}/sandbox/clock", json={"offset": offset}) as response:
            response.raise_for_status()

    async def login(self, id_number: str, password: str) -> bool:
        assert self._session is not None
        async with self._session.post(f"{self.url}/sandbox/login",
                                      json={"id_number": id_number, "password": password}) as response:
            return bool((await response.json())["ok"])


class Citizen:
    def __init__(self, assistant: Assistant, sandbox: Sandbox, user: str = "42") -> None:
        self.assistant = assistant
        self.sandbox = sandbox
        self.key = DialogKey("test", user, user)
        self.last: Handled | None = None

    async def send(self, what: str | Event) -> str:
        """Type `what` (a "/command" is a command) and return the reply's text."""
        if isinstance(what, str):
            name, _space, args = what[1:].partition(" ")
            what = Command(name, args) if what.startswith("/") else Said(what)
        self.last = await self.assistant.handle(self.key, what)
        return self.text

    async def press(self, button: str) -> str:
        return await self.send(Pressed(button))

    @property
    def reply(self) -> Rendered:
        assert self.last is not None
        return self.last.replies[-1]

    @property
    def text(self) -> str:
        return "\n\n".join(reply.text for reply in self.last.replies) if self.last else ""

    @property
    def buttons(self) -> dict[str, str]:
        return {button.id: button.label for row in self.reply.buttons for button in row}

    async def dialog(self) -> Dialog | None:
        return await self.assistant.store.load(self.key)

    async def step(self) -> StepName | None:
        dialog = await self.dialog()
        return dialog.step if dialog else None

    async def start(self, language: Language = "vi") -> None:
        await self.send("/start")
        if language != "vi":
            await self.send(f"/language {language}")

    async def fill_until(self, step: StepName, language: Language = "vi") -> None:
        """Answer every question correctly until the dialog reaches `step`."""
        await self.start(language)
        answers: list[str | Event] = [
            Pressed("consent:agree"), Pressed("subject:citizen"), Pressed("method:mobile"),
            ID_NUMBER, NAME, BIRTH, PHONE, EMAIL, Pressed("review:submit"),
        ]
        for answer in answers:
            if await self.step() == step:
                return
            await self.send(answer)
        if step is StepName.OTP:
            return
        await self.send(await self.sandbox.last_code())
        if step is StepName.PASSWORD:
            return
        await self.send(PasswordChosen(PASSWORD, PASSWORD))
        assert await self.step() == step


async def stored_values(redis: Redis) -> dict[bytes, list[bytes]]:
    """Every key Redis holds with everything in it, of every type: for privacy scans."""
    found: dict[bytes, list[bytes]] = {}
    async for key in redis.scan_iter():
        kind = (await redis.type(key)).decode()
        if kind == "string":
            found[key] = [await redis.get(key) or b""]
        elif kind == "hash":
            found[key] = [part for pair in (await redis.hgetall(key)).items() for part in pair]
        elif kind == "set":
            found[key] = list(await redis.smembers(key))
        elif kind == "list":
            found[key] = await redis.lrange(key, 0, -1)
        elif kind == "zset":
            found[key] = [member for member, _score in await redis.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            found[key] = [part for _id, entry in await redis.xrange(key) for pair in entry.items() for part in pair]
        elif kind != "none":  # gone since the scan listed it
            raise AssertionError(f"{key!r} is a Redis {kind}, which this scan cannot read")
    return found


async def everything_in(redis: Redis) -> bytes:
    """Every key and value Redis holds, of every type, in one blob: for privacy scans."""
    return b"\n".join(part for key, values in (await stored_values(redis)).items() for part in (key, *values))
