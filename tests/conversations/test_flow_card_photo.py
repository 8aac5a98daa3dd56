"""ID, name and birth date from the QR code of a CCCD card, over the pure core (the picture already read).

Reading real photos is tested in tests/bot/test_qr_image.py and, through Telegram, in
tests/telegram/test_card_photo.py; here the picture's reading is given, so every answer the flow
can give to one is checked.
"""

from __future__ import annotations

from datetime import date

from conversations.dialog import StepName
from conversations.events import Picture, PictureProblem, PictureReading
from conversations.replies import Effect
from tests.citizen import ID_NUMBER, NAME
from tests.conversations.harness import Citizen

# Sex, address and issue date follow the birth date; a newer card adds a field.
CARD = f"{ID_NUMBER}|012345678|{NAME}|05091990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|10072021|extra"


def picture(*texts: str, problem: PictureProblem | None = None) -> Picture:
    async def read() -> PictureReading:
        return PictureReading(texts, problem)

    return Picture("photo", read)


async def test_a_card_photo_fills_three_fields_and_right_goes_to_the_phone(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    assert "photo of the QR code" in citizen.text
    await citizen.send(picture("https://example.com", CARD))
    for shown in (ID_NUMBER, NAME, "September 5, 1990", "Is this right?"):
        assert shown in citizen.text
    assert set(citizen.buttons) == {"id_number:card_right", "id_number:card_fix"}
    assert Effect.FORGET_MESSAGE in citizen.effects  # the photo is deleted
    assert "Tràng Tiền" not in citizen.dialog.model_dump_json()  # the address is not kept

    await citizen.press("id_number:card_right")
    assert "Step 4/8" in citizen.text
    assert citizen.step() == StepName.PHONE
    data = citizen.dialog.data
    assert (data.id_number, data.full_name, data.birth_date, data.scanned) == (ID_NUMBER, NAME, date(1990, 9, 5), None)


async def test_change_goes_back_to_typing_and_forgets_what_was_read(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    await citizen.send(picture(CARD))
    await citizen.send("Change")  # typing a button's label presses it
    assert "Step 1/8" in citizen.text and "12-digit CCCD" in citizen.text
    dialog = citizen.dialog
    assert dialog.step == StepName.ID_NUMBER and dialog.data.is_empty()
    await citizen.press("id_number:card_right")  # a stale button changes nothing
    assert citizen.dialog == dialog and not citizen.changed


async def test_the_card_is_right_in_vietnamese_too(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER)
    await citizen.send(picture(CARD))
    assert "Đúng" in citizen.buttons.values() and "Sửa" in citizen.buttons.values()
    await citizen.send("dung")  # without tone marks
    assert citizen.step() == StepName.PHONE


async def test_from_the_review_a_card_photo_replaces_the_three_and_returns_there(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.REVIEW, "en")
    await citizen.press("review:edit_id_number")
    other = "079195000123||Trần Thị Bích|01021995|Nữ|TP HCM|01012022"
    await citizen.send(picture(other))
    await citizen.press("id_number:card_right")
    dialog = citizen.dialog
    assert dialog.step == StepName.REVIEW and not dialog.editing
    assert (dialog.data.id_number, dialog.data.full_name) == ("079195000123", "Trần Thị Bích")
    assert "Date of birth: February 1, 1995" in citizen.text


async def test_each_unreadable_picture_is_explained_and_the_dialog_stays(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    before = citizen.dialog
    answers = [
        (picture(problem=PictureProblem.TOO_LARGE), "over 10 MB"),
        (picture(problem=PictureProblem.NOT_AN_IMAGE), "could not open that file"),
        (picture(problem=PictureProblem.TOO_SMALL), "too small"),
        (picture(problem=PictureProblem.NO_CODE), "could not find a readable QR code"),
        (picture(problem=PictureProblem.NOT_FETCHED), "could not download"),
        (picture("https://dichvucong.gov.vn"), "not the one on a CCCD card"),
    ]
    for sent, explained in answers:
        await citizen.send(sent)
        assert explained in citizen.text and "type your ID number" in citizen.text and "Step 1/8" in citizen.text
        assert Effect.FORGET_MESSAGE in citizen.effects
        assert citizen.dialog == before and not citizen.changed


async def test_what_the_card_gives_passes_the_same_checks_as_typing(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    born_in_the_wrong_century = f"{ID_NUMBER}||{NAME}|05092090|Nam|Hà Nội|10072021"
    await citizen.send(picture(born_in_the_wrong_century))
    assert "I read the QR code, but" in citizen.text and "Step 1/8" in citizen.text
    await citizen.send(picture(f"{ID_NUMBER}||Nguyễn Văn 4n|05091990|Nam|Hà Nội|10072021"))
    assert "I read the QR code, but" in citizen.text
    assert citizen.dialog.data.is_empty()


async def test_a_photo_is_not_read_at_other_steps(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    reads: list[str] = []

    async def read() -> PictureReading:
        reads.append("read")
        return PictureReading((CARD,))

    await citizen.send(Picture("photo", read))
    assert "only read text messages" in citizen.text and reads == []
