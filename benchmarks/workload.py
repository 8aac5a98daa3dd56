"""The stream every scenario is fed: citizens registering, as the Telegram updates their clients send.

Each citizen gets distinct, valid answers (a CCCD whose digits 4-6 match the
birth year, a mobile number `parse_phone` accepts, a Vietnamese name), and a
script of "beats": /start, three button presses, six typed or shared answers,
"Đăng ký", the OTP. One answer in five is invalid (refused and asked again):
each citizen gets 3, 3, 3 or 2 invalid answers (cycling) at field steps, before
the valid one, so 11 valid beats to 2.75 invalid ones is exactly 4:1 on average.

Citizens are interleaved round-robin (citizen 1 beat 1, citizen 2 beat 1, …).
The update JSON is built only when a beat is fed: the OTP comes from the
sandbox's SMS and message ids from the chat, which exist only by then. Every
scenario, product or anchor, gets the same beats and the same JSON shapes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from benchmarks.stubs import Chats
from conversations.fields.id_number import PROVINCES

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thu", "Xuân")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam",
         "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến")
# Mobile ranges phonenumbers knows (Viettel 03x/086/09x, Vinaphone 08x/091/094, MobiFone 07x/090/093).
MOBILE_PREFIXES = ("90", "91", "93", "94", "96", "97", "98", "32", "33", "34", "35", "36", "37", "38", "39", "70",
                   "76", "77", "78", "79", "81", "82", "83", "84", "85", "86", "88")
PASSWORD = "Sao-Mai#2026"
FIELD_STEPS = ("id_number", "full_name", "birth_date", "phone", "email", "otp")
INVALID = {  # one refused answer per field step; each is refused without reaching the portal
    "id_number": "12345678",  # 8 digits
    "full_name": "Nguyen Van 3",  # a digit
    "birth_date": "31/02/1990",  # no such day
    "phone": "0912 345",  # too short
    "email": "nguyen.an@gmail",  # no top-level domain
    "otp": "12345",  # 5 digits
}

BeatKind = Literal["command", "press", "text", "contact", "otp"]


@dataclass(frozen=True, slots=True)
class CitizenData:
    user_id: int
    first_name: str
    last_name: str
    full_name: str
    id_number: str
    birth_date: str  # dd/mm/yyyy, as typed
    phone: str  # national, 9 digits after the 0
    email: str

    @property
    def phone_e164(self) -> str:
        return f"+84{self.phone}"


@dataclass(frozen=True, slots=True)
class Beat:
    """One thing a citizen does; `step` names the question it answers."""

    step: str
    kind: BeatKind
    value: str
    valid: bool = True


def make_citizens(count: int, first_user_id: int, seed: int = 7) -> list[CitizenData]:
    """`count` citizens with distinct valid CCCD numbers and phones."""
    rng = random.Random(seed)
    codes = list(PROVINCES)
    serials = rng.sample(range(10**6), count)
    citizens = []
    for index in range(count):
        born = date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.5
        century = (0 if born.year < 2000 else 2) + int(female)
        id_number = f"{codes[index % len(codes)]}{century}{born.year % 100:02d}{serials[index]:06d}"
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        middle = "Thị" if female else rng.choice(MIDDLE)
        phone = f"{MOBILE_PREFIXES[index % len(MOBILE_PREFIXES)]}{index:07d}"
        citizens.append(CitizenData(
            user_id=first_user_id + index, first_name=given, last_name=family,
            full_name=f"{family} {middle} {given}", id_number=id_number, birth_date=f"{born:%d/%m/%Y}",
            phone=phone, email=f"nguoidan{first_user_id + index}@gmail.com",
        ))
    return citizens


def script(citizen: CitizenData, invalid_steps: tuple[str, ...]) -> list[Beat]:
    """The citizen's beats, from /start to the OTP; an invalid answer comes just before the valid one."""
    valid = [
        Beat("start", "command", "/start"),
        Beat("consent", "press", "consent:agree"),
        Beat("subject", "press", "subject:citizen"),
        Beat("method", "press", "method:mobile"),
        Beat("id_number", "text", citizen.id_number),
        Beat("full_name", "text", citizen.full_name),
        Beat("birth_date", "text", citizen.birth_date),
        Beat("phone", "contact", f"84{citizen.phone}"),
        Beat("email", "text", citizen.email),
        Beat("review", "press", "review:submit"),
        Beat("otp", "otp", citizen.phone_e164),
    ]
    beats = []
    for beat in valid:
        if beat.step in invalid_steps:
            beats.append(Beat(beat.step, "text", INVALID[beat.step], valid=False))
        beats.append(beat)
    return beats


def scripts(citizens: list[CitizenData], seed: int = 11) -> list[list[Beat]]:
    rng = random.Random(seed)
    return [script(citizen, tuple(rng.sample(FIELD_STEPS, 2 if index % 4 == 3 else 3)))
            for index, citizen in enumerate(citizens)]


def round_robin(citizens: list[CitizenData], beats: list[list[Beat]]) -> Iterator[tuple[CitizenData, Beat]]:
    """Citizen 1 beat 1, citizen 2 beat 1, …, citizen 1 beat 2, …"""
    for turn in range(max(len(script) for script in beats)):
        for citizen, script in zip(citizens, beats, strict=True):
            if turn < len(script):
                yield citizen, script[turn]


# What the message under a pressed button showed: the same for every scenario, so parsing costs the same.
KEYBOARDS: dict[str, tuple[str, list[list[tuple[str, str]]]]] = {
    "consent": ("Chào bạn! Tôi sẽ giúp bạn đăng ký tài khoản trên Cổng Dịch vụ công quốc gia "
                "(dichvucong.gov.vn) bằng số điện thoại di động.\n\nBạn có đồng ý không?",
                [[("Tôi đồng ý", "consent:agree"), ("Tôi không đồng ý", "consent:decline")]]),
    "subject": ("Tài khoản dành cho ai?",
                [[("Công dân", "subject:citizen"), ("Doanh nghiệp", "subject:business")]]),
    "method": ("Bạn muốn đăng ký bằng cách nào?",
               [[("Thuê bao di động", "method:mobile")], [("SIM ký số", "method:sim"), ("USB ký số", "method:usb")],
                [("BHXH", "method:bhxh"), ("Bưu điện", "method:post")], [("VNeID", "method:vneid")]]),
    "review": ("Vui lòng kiểm tra thông tin:\n\nSố định danh (tên đăng nhập): 001090012345\nHọ và tên: Nguyễn Văn An\n"
               "Ngày sinh: 05/09/1990\nSố điện thoại: 0821234088\nEmail: an.nguyen@gmail.com",
               [[("Đăng ký", "review:submit")], [("Sửa số định danh", "review:edit_id_number"),
                                                 ("Sửa họ tên", "review:edit_full_name")],
                [("Sửa ngày sinh", "review:edit_birth_date"), ("Sửa số điện thoại", "review:edit_phone")],
                [("Sửa email", "review:edit_email")]]),
}


class Updates:
    """Builds the Bot API JSON of a beat, as a Telegram client would cause it to be delivered."""

    def __init__(self, bot_user: dict[str, Any], chats: Chats, otp_code: Callable[[str], str],
                 first_update_id: int = 1) -> None:
        self._bot_user = bot_user
        self._chats = chats
        self._otp_code = otp_code
        self._update_id = first_update_id - 1

    def build(self, citizen: CitizenData, beat: Beat) -> dict[str, Any]:
        self._update_id += 1
        if beat.kind == "press":
            return {"update_id": self._update_id, "callback_query": self._press(citizen, beat.step, beat.value)}
        message = self._message(citizen)
        if beat.kind == "contact":
            message["contact"] = {"phone_number": beat.value, "first_name": citizen.first_name,
                                  "last_name": citizen.last_name, "user_id": citizen.user_id}
        else:
            text = self._otp_code(beat.value) if beat.kind == "otp" else beat.value
            message["text"] = text
            if beat.kind == "command":
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {"update_id": self._update_id, "message": message}

    def _user(self, citizen: CitizenData) -> dict[str, Any]:
        return {"id": citizen.user_id, "is_bot": False, "first_name": citizen.first_name,
                "last_name": citizen.last_name, "language_code": "vi"}

    def _chat(self, citizen: CitizenData) -> dict[str, Any]:
        return {"id": citizen.user_id, "type": "private", "first_name": citizen.first_name,
                "last_name": citizen.last_name}

    def _message(self, citizen: CitizenData) -> dict[str, Any]:
        return {"message_id": self._chats.next_id(citizen.user_id), "from": self._user(citizen),
                "chat": self._chat(citizen), "date": int(time.time())}

    def _press(self, citizen: CitizenData, step: str, data: str) -> dict[str, Any]:
        text, rows = KEYBOARDS[step]
        keyboard = [[{"text": label, "callback_data": button} for label, button in row] for row in rows]
        shown = {"message_id": self._chats.last_id(citizen.user_id), "from": self._bot_user,
                 "chat": self._chat(citizen), "date": int(time.time()), "text": text,
                 "reply_markup": {"inline_keyboard": keyboard}}
        return {"id": f"{citizen.user_id}{self._update_id:010d}", "from": self._user(citizen),
                "chat_instance": str(citizen.user_id * 1_000_003 + 4_242), "message": shown, "data": data}


@dataclass(frozen=True, slots=True)
class Workload:
    """A set of citizens and their beats; `stream` interleaves them."""

    citizens: list[CitizenData]
    beats: list[list[Beat]]

    @classmethod
    def make(cls, count: int, first_user_id: int) -> Workload:
        citizens = make_citizens(count, first_user_id, seed=first_user_id)
        return cls(citizens, scripts(citizens))

    @property
    def size(self) -> int:
        return sum(len(script) for script in self.beats)

    @property
    def invalid(self) -> int:
        return sum(not beat.valid for script in self.beats for beat in script)

    def stream(self) -> Iterator[tuple[CitizenData, Beat]]:
        return round_robin(self.citizens, self.beats)
