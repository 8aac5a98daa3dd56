"""A picture a citizen sends, through each framework's adapter: read from the update, fetched from the Bot API.

Issue 9: the citizen photographs the QR code of their CCCD card. The
adapter reads which file it is (`PictureFile`), then `download` fetches it with
getFile and the file route of the same server, into memory; failures are
the ones every call reports, so the conversation can ask to send it again.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from bot.channels.telegram.actions import Rejected, RetryAfter, Transient
from bot.channels.telegram.adapter import TelegramAdapter
from bot.channels.telegram.frameworks import make_adapter
from bot.channels.telegram.updates import PictureFile, origin_of, read_update
from conversations.events import Unsupported
from tests.botprocess import BOTH, TOKEN
from tests.fakebot.citizen import TelegramCitizen
from tests.fakebot.methods import MAX_DOWNLOAD
from tests.fakebot.server import FakeBotAPI

pytestmark = BOTH


@pytest.fixture
def citizen(fake_api: FakeBotAPI) -> TelegramCitizen:
    return TelegramCitizen(fake_api, user_id=1001)


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def picture_in(adapter: TelegramAdapter, update: dict[str, Any]) -> PictureFile | None:
    incoming = read_update(adapter.parse_update(update), "1")
    assert incoming is not None
    return origin_of(incoming).picture


async def test_a_photo_is_read_at_its_largest_size_and_downloaded_whole(
    fake_api: FakeBotAPI, adapter: TelegramAdapter, citizen: TelegramCitizen,
) -> None:
    photo = jpeg(1280, 960)
    update = citizen.photo_update(photo, caption="CCCD")
    incoming = read_update(adapter.parse_update(update), "1")
    largest = update["message"]["photo"][-1]
    assert incoming is not None and incoming.event == Unsupported("photo")
    picture = origin_of(incoming).picture
    assert picture == PictureFile(largest["file_id"], len(photo), "photo")
    assert await adapter.download(picture.file_id) == photo
    assert [call.params["file_id"] for call in fake_api.calls_to("getFile", ok=True)] == [largest["file_id"]]
    assert fake_api.downloads == [fake_api.files[largest["file_id"]].file_path]


async def test_an_image_sent_as_a_file_is_a_picture_and_other_files_are_not(
    adapter: TelegramAdapter, citizen: TelegramCitizen,
) -> None:
    out = io.BytesIO()
    Image.new("L", (900, 600), 128).save(out, "PNG")
    card = out.getvalue()
    update = citizen.document_update("card.png", content=card, mime_type="image/png")
    picture = picture_in(adapter, update)
    assert picture == PictureFile(update["message"]["document"]["file_id"], len(card), "document")
    assert await adapter.download(picture.file_id) == card
    assert picture_in(adapter, citizen.document_update("giay-to.pdf")) is None
    assert picture_in(adapter, citizen.sticker_update()) is None  # a WebP file, but a sticker
    assert picture_in(adapter, citizen.text_update("001090012345")) is None


async def test_unknown_and_oversized_files_are_rejected(fake_api: FakeBotAPI, adapter: TelegramAdapter) -> None:
    with pytest.raises(Rejected, match=r"(?i)invalid file_id"):
        await adapter.download("AgADAgADnope")
    with pytest.raises(Rejected, match=r"(?i)file is too big"):
        await adapter.download(fake_api.add_file(bytes(MAX_DOWNLOAD + 1)))
    assert fake_api.downloads == []


async def test_a_failed_fetch_fails_like_any_call(fake_api: FakeBotAPI, adapter: TelegramAdapter) -> None:
    file_id = fake_api.add_file(b"\xff\xd8 a photo \xff\xd9", folder="photos")
    fake_api.fail_next("download", 502)
    with pytest.raises(Transient):
        await adapter.download(file_id)
    fake_api.fail_next("download", 404)  # the link expired (Telegram keeps it at least an hour)
    with pytest.raises(Rejected):
        await adapter.download(file_id)
    fake_api.fail_next("getFile", 429, retry_after=3)
    with pytest.raises(RetryAfter) as waited:
        await adapter.download(file_id)
    assert waited.value.seconds == 3
    assert await adapter.download(file_id) == b"\xff\xd8 a photo \xff\xd9"


# (content, field, value): one field of a well-formed photo or image document given a wrong value. (A file_id of
# another type is no case: python-telegram-bot turns it into a string, an id getFile then refuses.)
FORGED = [
    ("photo", "file_id", ""), ("photo", "file_size", "12"), ("photo", "file_size", -1), ("photo", "file_size", True),
    ("photo", "width", "wide"), ("document", "file_size", 2.5), ("document", "file_size", "2"),
    ("document", "mime_type", 7),
]


@pytest.mark.parametrize(("content", "field", "value"), FORGED)
async def test_forged_file_fields_give_no_picture(citizen: TelegramCitizen, content: str, field: str,
                                                  value: Any) -> None:
    """python-telegram-bot reads an update's JSON without checking types (aiogram refuses these outright)."""
    ptb = make_adapter("ptb", TOKEN, "http://127.0.0.1:9")  # never called
    try:
        image = jpeg(400, 300)
        update = citizen.photo_update(image) if content == "photo" else citizen.document_update("card.jpg",
                                                                                                 content=image)
        body = update["message"][content]
        (body[-1] if content == "photo" else body)[field] = value  # the largest size of a photo
        incoming = read_update(ptb.parse_update(update), "1")
        assert incoming is not None and incoming.event == Unsupported(content)
        assert origin_of(incoming).picture is None
    finally:
        await ptb.close()
