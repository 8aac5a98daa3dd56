"""Files people send, as the fake serves them: getFile, the download route, and their errors (issue 9)."""

from __future__ import annotations

import io

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from PIL import Image

from tests.fakebot import DEFAULT_TOKEN, FakeBotAPI, TelegramCitizen
from tests.fakebot.methods import MAX_DOWNLOAD
from tests.fakebot_selftest.clients import parsed


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


async def test_get_file_gives_the_path_the_download_route_serves(api: FakeBotAPI, http: aiohttp.ClientSession) -> None:
    content = b"\x89PNG\r\n\x1a\n and the rest"
    file_id = api.add_file(content, file_name="the.png", mime_type="image/png")
    async with http.post(f"{api.base_url}/bot{DEFAULT_TOKEN}/getFile", json={"file_id": file_id}) as response:
        answer = await response.json()
    assert answer["ok"] and answer["result"]["file_id"] == file_id and answer["result"]["file_size"] == len(content)
    assert answer["result"]["file_unique_id"] and answer["result"]["file_path"].endswith(".png")
    path = answer["result"]["file_path"]
    async with http.get(f"{api.base_url}/file/bot{DEFAULT_TOKEN}/{path}") as response:
        assert (response.status, await response.read()) == (200, content)
    (call,) = api.calls_to("getFile", ok=True)
    assert call.params == {"file_id": file_id} and api.downloads == [path]


async def test_unknown_files_and_files_over_20_mb_are_refused(
    api: FakeBotAPI, bot: Bot, http: aiohttp.ClientSession,
) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: invalid file_id"):
        await bot.get_file("AgADnope")
    big = api.add_file(bytes(MAX_DOWNLOAD + 1))
    with pytest.raises(TelegramBadRequest, match="Bad Request: file is too big"):
        await bot.get_file(big)
    assert (await bot.get_file(api.add_file(bytes(MAX_DOWNLOAD)))).file_size == MAX_DOWNLOAD
    assert [call.ok for call in api.calls_to("getFile")] == [False, False, True]
    async with http.get(f"{api.base_url}/file/bot{DEFAULT_TOKEN}/photos/file_999.jpg") as response:
        assert response.status == 404 and (await response.json())["description"] == "Not Found"
    path = api.files[big].file_path
    async with http.get(f"{api.base_url}/file/bot123456:{'B' * 35}/{path}") as response:
        assert response.status == 401
    assert api.downloads == []


async def test_download_failures_can_be_injected(api: FakeBotAPI, bot: Bot) -> None:
    path = api.files[api.add_file(b"abc")].file_path
    api.fail_next("download", 502)
    with pytest.raises(aiohttp.ClientResponseError) as failed:
        await bot.download_file(path)
    assert failed.value.status == 502
    downloaded = await bot.download_file(path)
    assert downloaded is not None and downloaded.read() == b"abc"


async def test_a_photo_lists_smaller_copies_first_and_the_photo_itself_last(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    photo = jpeg(1280, 960)
    message = parsed(citizen.photo_update(photo, caption="CCCD"), bot).message
    assert message is not None and message.photo is not None and message.caption == "CCCD"
    assert [(size.width, size.height) for size in message.photo] == [(90, 68), (320, 240), (800, 600), (1280, 960)]
    assert len({size.file_id for size in message.photo}) == 4
    largest = message.photo[-1]
    assert api.files[largest.file_id].content == photo and largest.file_size == len(photo)
    for size in message.photo[:-1]:
        content = api.files[size.file_id].content
        assert size.file_size == len(content) < len(photo)
        with Image.open(io.BytesIO(content)) as thumbnail:
            assert (thumbnail.format, thumbnail.size) == ("JPEG", (size.width, size.height))
    small = parsed(citizen.photo_update(jpeg(300, 200)), bot).message
    assert small is not None and small.photo is not None
    assert [(size.width, size.height) for size in small.photo] == [(90, 60), (300, 200)]


async def test_an_image_sent_as_a_file_is_a_document_kept_as_it_was(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    card = jpeg(2000, 1500)
    await citizen.send_image_file(card)
    (update,) = await bot.get_updates()
    document = update.message.document if update.message else None
    assert document is not None and (document.file_name, document.mime_type) == ("card.jpg", "image/jpeg")
    assert document.file_size == len(card)
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == card


async def test_the_bot_can_delete_the_photo_a_citizen_sent(
    api: FakeBotAPI, bot: Bot, citizen: TelegramCitizen,
) -> None:
    await citizen.send_photo(jpeg(640, 480))
    sent = citizen.last_message_id
    assert sent is not None
    assert await bot.delete_message(citizen.chat_id, sent)
    assert [message["message_id"] for message in api.deleted_messages(citizen.chat_id)] == [sent]
    assert api.message(citizen.chat_id, sent) is None
    (call,) = api.calls_to("deleteMessage", ok=True)
    assert call.params == {"chat_id": citizen.chat_id, "message_id": sent}
