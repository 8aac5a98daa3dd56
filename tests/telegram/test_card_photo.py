"""A CCCD card's QR code photographed at the ID step, on each framework, through the fake Bot API.

The photos are generated (tests/cccd_images.py): a segno QR code in the CCCD format on a card-like
background, photographed with realistic damage. The bot downloads each with getFile from the fake
server, reads it, and deletes it from the chat.
"""

from __future__ import annotations

from tests.botprocess import BOTH, ON_PTB, BotFactory
from tests.cccd_images import Damage, blurred_photo, card_payload, card_photo, oversized_photo
from tests.citizen import ID_NUMBER, NAME, PHONE_E164
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.server import FakeBotAPI
from tests.telegram.test_telegram_bot import start_registration

pytestmark = ON_PTB

ADDRESS = "Số 12 Ngõ 34 Phố Tràng Tiền, Hoàn Kiếm, Hà Nội"
CARD = card_payload(ID_NUMBER, "012345678", NAME, "05091990", "Nam", ADDRESS, "10072021")
# Held sideways at an angle, a little far, slightly out of focus, in a dim room, re-encoded by Telegram.
TYPICAL = Damage(rotation=97, skew=0.12, scale=0.6, blur=0.8, brightness=0.8, noise=6, jpeg_quality=80)


@BOTH
async def test_a_photo_of_the_card_fills_id_name_and_birth_date(
    fake_api: FakeBotAPI, start_bot: BotFactory,
) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=3101)
    await start_registration(citizen)
    await citizen.send_photo(card_photo(CARD, TYPICAL, seed=1))
    photo = citizen.last_message_id
    shown = await citizen.wait_for_reply("Thông tin này có đúng không?", timeout=20)
    for value in (ID_NUMBER, NAME, "5 tháng 9, 1990"):
        assert value in shown["text"]
    assert ADDRESS not in shown["text"] and "Nam" not in shown["text"].replace(NAME, "")
    assert photo in [message["message_id"] for message in fake_api.deleted_messages(citizen.chat_id)]
    assert fake_api.calls_to("getFile", ok=True)

    await citizen.press("Đúng")
    await citizen.wait_for_reply("Bước 4/8")  # the phone
    await citizen.share_contact(PHONE_E164)
    await citizen.wait_for_reply("Bước 5/8")  # the email: ID, name and birth date were all taken


@BOTH
async def test_a_download_that_fails_on_the_way_is_tried_again(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=3104)
    await start_registration(citizen)
    fake_api.fail_next("getFile", 502)
    fake_api.fail_next("download", 502)  # Telegram's file server, then
    await citizen.send_photo(card_photo(CARD, TYPICAL, seed=8))
    shown = await citizen.wait_for_reply("Thông tin này có đúng không?", timeout=20)
    assert ID_NUMBER in shown["text"]
    assert len(fake_api.calls_to("getFile", ok=False)) == 1 and len(fake_api.calls_to("getFile", ok=True)) == 2


async def test_change_returns_to_typing_the_number(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=3102)
    await start_registration(citizen)
    await citizen.send_image_file(card_photo(CARD, seed=2, image_format="PNG"), "cccd.png", "image/png")
    await citizen.wait_for_reply("Thông tin này có đúng không?", timeout=20)
    await citizen.press("Sửa")
    await citizen.wait_for_reply("Bước 1/8")
    await citizen.send_text(ID_NUMBER)
    await citizen.wait_for_reply("Bước 2/8")  # the name is asked: nothing was taken from the card


async def test_pictures_that_give_no_card_are_each_explained(fake_api: FakeBotAPI, start_bot: BotFactory) -> None:
    await start_bot()
    citizen = TelegramCitizen(fake_api, user_id=3103)
    await start_registration(citizen)
    cases = [
        (lambda: citizen.send_photo(card_photo("https://dichvucong.gov.vn", seed=3)), "không phải mã trên thẻ CCCD"),
        (lambda: citizen.send_photo(card_photo(None, seed=4)), "không tìm thấy mã QR"),
        (lambda: citizen.send_photo(blurred_photo(CARD, seed=5)), "không tìm thấy mã QR"),
        (lambda: citizen.send_photo(card_photo(CARD, Damage(scale=0.1), seed=7)), "quá nhỏ"),
        (lambda: citizen.send_image_file(oversized_photo(CARD, seed=6), "scan.bmp", "image/bmp"), "quá lớn"),
        (lambda: citizen.send_image_file(b"%PDF-1.4 not a picture", "the.jpg", "image/jpeg"), "không mở được"),
    ]
    for send, explained in cases:
        await send()
        sent = citizen.last_message_id
        reply = await citizen.wait_for_reply(explained, timeout=20)
        assert "Bước 1/8" in reply["text"] and "gõ số CCCD" in reply["text"]
        assert sent in [message["message_id"] for message in fake_api.deleted_messages(citizen.chat_id)]
    await citizen.send_text(ID_NUMBER)  # the dialog is still at the ID step
    await citizen.wait_for_reply("Bước 2/8")
