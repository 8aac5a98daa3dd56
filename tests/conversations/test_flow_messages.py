"""Every validation rule, as the citizen reads it, in Vietnamese and in English, over the pure core.

Each refusal names the specific problem, repeats the question, and leaves
the dialog at the same step.
"""

from __future__ import annotations

import unicodedata

import pytest

from conversations.dialog import Language, StepName
from conversations.events import PasswordChosen, Unsupported
from tests.conversations.harness import Citizen

# (step, answer, what a Vietnamese reader sees, what an English reader sees)
RULES: list[tuple[StepName, str | Unsupported, str, str]] = [
    (StepName.ID_NUMBER, "0010900123", "Số này có 10 chữ số", "This number has 10 digits"),
    (StepName.ID_NUMBER, "00109001234A", "chỉ gồm chữ số", "has only digits"),
    (StepName.ID_NUMBER, "001590012345", "Chữ số thứ 4", "Digit 4 of a CCCD"),
    (StepName.ID_NUMBER, "001290012345", "năm sinh là 2090", "birth year 2090"),
    (StepName.ID_NUMBER, "001215012345", "đủ 14 tuổi", "at least 14"),
    (StepName.ID_NUMBER, "000000000000", "toàn là số 0", "all zeros"),
    (StepName.FULL_NAME, "Nguyễn Văn 2", "không được có chữ số", "must not contain digits"),
    (StepName.FULL_NAME, "A", "quá ngắn", "too short"),
    (StepName.FULL_NAME, "Nguyễn " * 20, "quá dài", "too long"),
    (StepName.FULL_NAME, "Nguyễn 🙂", "không được có", "cannot contain"),
    (StepName.FULL_NAME, "Nguyêq\u0301n", "không dùng được cho chữ này", "does not belong on that letter"),
    (StepName.FULL_NAME, "-Na Lê", "gạch nối", "hyphen"),
    (StepName.BIRTH_DATE, "1990-09-05", "ngày/tháng/năm", "day/month/year"),
    (StepName.BIRTH_DATE, "05/09/90", "đủ 4 chữ số", "four digits"),
    (StepName.BIRTH_DATE, "31/04/1990", "không có ngày 31", "day 31 does not exist"),
    (StepName.BIRTH_DATE, "29/02/1990", "không phải năm nhuận", "not a leap year"),
    (StepName.BIRTH_DATE, "05/13/1990", "Không có tháng 13", "no month 13"),
    (StepName.BIRTH_DATE, "05/09/2030", "tương lai", "in the future"),
    (StepName.BIRTH_DATE, "05/09/1991", "Chữ số thứ 5–6", "Digits 5–6"),
    (StepName.PHONE, "024 3825 1234", "cố định", "landline"),
    (StepName.PHONE, "+1 202 555 0123", "không phải số điện thoại Việt Nam", "not a Vietnamese phone number"),
    (StepName.PHONE, "08212340", "Số này có 8 chữ số", "This number has 8 digits"),
    (StepName.PHONE, "gọi tôi nhé", "không phải số điện thoại", "not a phone number"),
    (StepName.EMAIL, "an.nguyen.gmail.com", "phải có dấu @", "needs an @ sign"),
    (StepName.EMAIL, "an nguyen@gmail.com", "dấu cách", "cannot contain spaces"),
    (StepName.EMAIL, "nguyễn@gmail.com", "chữ có dấu", "accented letters"),
    (StepName.EMAIL, "an@gmail", "tên miền", "not a valid domain"),
    (StepName.OTP, "12345", "đúng 6 chữ số", "exactly 6 digits"),
    (StepName.FULL_NAME, Unsupported("photo"), "chỉ đọc được tin nhắn chữ", "only read text"),
    (StepName.FULL_NAME, "x" * 1001, "quá dài (1001 ký tự)", "too long (1001 characters)"),
]

PASSWORDS: list[tuple[str, str, str]] = [
    ("Sh0rt!", "ít nhất 8", "at least 8"),
    ("nouppercase1!", "chữ in hoa", "upper-case"),
    ("NOLOWERCASE1!", "chữ thường", "lower-case"),
    ("NoDigitsHere!", "chữ số", "digit"),
    ("NoSpecial123", "ký tự đặc biệt", "special character"),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("step", "answer", "vi", "en"), RULES, ids=[f"{s}-{i}" for i, (s, *_r) in enumerate(RULES)])
async def test_each_refusal_explains_the_rule_and_keeps_the_step(
    citizen: Citizen, language: Language, step: StepName, answer: str | Unsupported, vi: str, en: str,
) -> None:
    await citizen.fill_until(step, language)
    before = citizen.dialog
    await citizen.send(answer)
    assert (vi if language == "vi" else en) in citizen.text
    assert citizen.dialog == before and not citizen.changed
    question = {"vi": "Bước", "en": "Step"}[language]
    assert question in citizen.text  # the same question is asked again


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("password", "vi", "en"), PASSWORDS)
async def test_each_password_rule_is_explained(
    citizen: Citizen, language: Language, password: str, vi: str, en: str,
) -> None:
    await citizen.fill_until(StepName.PASSWORD, language)
    await citizen.send(PasswordChosen(password, password))
    assert (vi if language == "vi" else en) in citizen.text
    assert citizen.step() == StepName.PASSWORD and citizen.reply.ask_password


async def test_full_width_digits_and_separators_are_read_as_an_id(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER)
    await citizen.send("００１.０９０.０１２-３４５")
    assert citizen.step() == StepName.FULL_NAME and citizen.dialog.data.id_number == "001090012345"


async def test_decomposed_vietnamese_name_is_stored_composed(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME)
    await citizen.send(unicodedata.normalize("NFD", "nguyễn   thị  hồng nhung"))
    assert citizen.dialog.data.full_name == "Nguyễn Thị Hồng Nhung"


async def test_vietnamese_dialog_speaks_vietnamese(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW)
    assert "Bước 6/8" in citizen.text and "5 tháng 9, 1990" in citizen.text
    assert "Đăng ký" in citizen.buttons.values()
