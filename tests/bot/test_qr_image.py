"""Reading the QR code of a CCCD card from the citizen's photo (issue 9): the exact text back, or a clear refusal."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from bot.idcard.qr_image import (
    MAX_IMAGE_BYTES,
    ImageTooLarge,
    ImageTooSmall,
    NotAnImage,
    read_qr_texts,
    read_qr_texts_async,
)
from conversations.fields.birth_date import parse_birth_date
from conversations.fields.full_name import parse_full_name
from conversations.fields.id_number import parse_id_number
from conversations.parsing import Accepted
from tests.cccd_images import (
    NOT_AN_IMAGE,
    SAMPLE_PAYLOAD,
    URL_TEXT,
    Damage,
    ImageFormat,
    blurred_photo,
    card_payload,
    card_photo,
    decompression_bomb,
    oversized_photo,
    qr_mask,
    random_card_payload,
    two_cards_photo,
)

TODAY = date(2026, 11, 26)
# Tone marks on nearly every letter, and an address that is not Latin-1: the code is UTF-8 through and through.
DUONG = card_payload("001199012345", "", "Nguyễn Thị Thuỳ Dương", "15031999", "Nữ",
                     "Số 12, ngõ 34 phố Nguyễn Trãi, Phường Thượng Đình, Quận Thanh Xuân, Hà Nội", "01072021")


def test_a_clean_card_photo_gives_the_exact_payload() -> None:
    assert read_qr_texts(card_photo(DUONG)) == [DUONG]


def test_a_name_in_latin_1_letters_only_is_not_misread_as_another_charset() -> None:
    # "Lê Hà" fits in Latin-1; printed as UTF-8 without ECI, a charset guess could turn it into "LÃª HÃ ".
    payload = card_payload("001090012345", "123456789", "Lê Hà", "05091990", "Nam", "Hà Tây", "10042021")
    assert read_qr_texts(card_photo(payload, seed=3)) == [payload]


TYPICAL = {
    "tilted": Damage(rotation=12),
    "held sideways": Damage(rotation=90),
    "upside down": Damage(rotation=183),
    "seen at an angle": Damage(skew=0.15),
    "taken from further away": Damage(scale=0.6),
    "slightly out of focus": Damage(blur=1.0),
    "in a dim room": Damage(brightness=0.55, contrast=0.8),
    "noisy": Damage(noise=10),
    "heavily compressed": Damage(jpeg_quality=30),
    "in a shadow": Damage(shadow=0.5),
    "all of it a little": Damage(rotation=-8, skew=0.08, scale=0.75, blur=0.8, brightness=0.8, contrast=0.85,
                                 noise=5, jpeg_quality=75, shadow=0.3),
}


@pytest.mark.parametrize("damage", TYPICAL.values(), ids=TYPICAL.keys())
def test_a_typically_damaged_photo_gives_the_exact_payload(damage: Damage) -> None:
    assert read_qr_texts(card_photo(DUONG, damage, seed=7)) == [DUONG]


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_an_image_file_in_another_format_is_read(image_format: ImageFormat) -> None:
    assert read_qr_texts(card_photo(DUONG, seed=1, image_format=image_format)) == [DUONG]


@pytest.mark.parametrize("refused_format", ["GIF", "BMP", "TIFF", "ICO", "PCX"])
def test_a_picture_in_a_format_outside_jpeg_png_webp_is_refused_as_not_an_image(refused_format: str) -> None:
    """Pillow would read these (and the card's code in them); their decoders are not exposed to strangers."""
    readable = Image.open(io.BytesIO(card_photo(DUONG, seed=1, image_format="PNG")))
    converted = io.BytesIO()
    readable.convert("RGB").resize((256, 192) if refused_format == "ICO" else readable.size).save(
        converted, refused_format)
    with pytest.raises(NotAnImage):
        read_qr_texts(converted.getvalue())


def test_a_code_on_a_transparent_background_is_read() -> None:
    mask = qr_mask(SAMPLE_PAYLOAD)  # 0 where a module is dark
    image = Image.new("RGBA", mask.size, (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), mask=Image.eval(mask, lambda value: 255 - value))
    png = io.BytesIO()
    image.save(png, "PNG")
    assert read_qr_texts(png.getvalue()) == [SAMPLE_PAYLOAD]


def test_two_codes_in_one_picture_give_both_texts() -> None:
    other = random_card_payload(1)
    assert sorted(read_qr_texts(two_cards_photo(SAMPLE_PAYLOAD, other))) == sorted([SAMPLE_PAYLOAD, other])


def test_a_code_that_is_not_a_cccd_code_is_returned_as_it_is() -> None:
    assert read_qr_texts(card_photo(URL_TEXT)) == [URL_TEXT]


def test_a_card_photo_without_a_code_gives_nothing() -> None:
    assert read_qr_texts(card_photo(None)) == []


def test_a_tiny_photo_of_the_card_is_refused_as_too_small() -> None:
    with pytest.raises(ImageTooSmall):  # a thumbnail-sized picture of the whole card: come closer
        read_qr_texts(card_photo(SAMPLE_PAYLOAD, Damage(scale=0.1)))


def test_a_heavily_blurred_photo_gives_nothing() -> None:
    assert read_qr_texts(blurred_photo(SAMPLE_PAYLOAD)) == []


@pytest.mark.parametrize("data", [NOT_AN_IMAGE, b"", card_photo(SAMPLE_PAYLOAD)[:20_000], decompression_bomb()],
                         ids=["a PDF", "no bytes", "a truncated JPEG", "a decompression bomb"])
def test_what_is_not_a_readable_image_is_refused_as_such(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        read_qr_texts(data)


def test_a_file_over_10_mb_is_refused_for_its_size() -> None:
    data = oversized_photo(SAMPLE_PAYLOAD)
    assert len(data) > MAX_IMAGE_BYTES == 10 * 1024 * 1024
    with pytest.raises(ImageTooLarge):
        read_qr_texts(data)


def test_a_file_of_exactly_10_mb_is_still_read() -> None:
    photo = card_photo(SAMPLE_PAYLOAD)
    assert read_qr_texts(photo + bytes(MAX_IMAGE_BYTES - len(photo))) == [SAMPLE_PAYLOAD]  # padding after the JPEG


async def test_reading_on_a_worker_thread_gives_the_same_texts_and_refusals() -> None:
    assert await read_qr_texts_async(card_photo(DUONG)) == [DUONG]
    with pytest.raises(NotAnImage):
        await read_qr_texts_async(NOT_AN_IMAGE)


def test_the_generator_is_deterministic_given_the_seed() -> None:
    damage = Damage.everyday(5)
    assert damage == Damage.everyday(5) != Damage.everyday(6)
    assert card_photo(DUONG, damage, seed=5) == card_photo(DUONG, damage, seed=5) != card_photo(DUONG, damage, seed=6)


@pytest.mark.parametrize("seed", range(20))
def test_generated_citizens_pass_the_fields_own_parsers(seed: int) -> None:
    id_number, old_id, name, birth, sex, address, issue = random_card_payload(seed).split("|")
    assert isinstance(parse_id_number(id_number, TODAY), Accepted)
    assert isinstance(parse_full_name(name), Accepted)
    assert isinstance(parse_birth_date(f"{birth[:2]}/{birth[2:4]}/{birth[4:]}", TODAY, id_number), Accepted)
    assert old_id == "" or len(old_id) == 9
    assert sex in ("Nam", "Nữ") and address and len(issue) == 8
