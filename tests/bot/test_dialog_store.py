"""The Redis store: one event at a time per dialog, state that outlives the process, idle expiry."""

from __future__ import annotations

import asyncio
import json
import zlib
from datetime import date

import pytest
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bot.core.assistant import Assistant
from bot.core.i18n import Catalogs
from bot.portal.client import PortalClient
from bot.storage import AlreadyHandled, DialogCodec, DialogKey, DialogStore, Tally, UnreadableDialog
from bot.storage.codec import PERSONAL_FIELDS
from bot.storage.heartbeat import Heartbeat
from bot.storage.keys import worker_heartbeat
from bot.storage.redis_store import ANSWER_KEPT, HANDLED_KEPT, RedisDialogStore, document_of, message_window_ends
from bot.storage.sealing import Sealer
from conversations.dialog import SCHEMA_VERSION, Dialog, PersonalData, ScannedCard, StepName
from conversations.events import Said
from tests.citizen import ID_NUMBER, NAME, Citizen, Sandbox
from tests.clock import ManualClock
from tests.forged import PERSONAL, SEALED


async def test_second_worker_waits_for_the_lock_and_answers_on_the_latest_state(
    citizen: Citizen, redis_url: str, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs,
    clock: ManualClock,
) -> None:
    await citizen.fill_until(StepName.ID_NUMBER, "en")
    other_redis = Redis.from_url(redis_url)
    second_worker = Assistant(RedisDialogStore(other_redis, codec), portal, catalogs, clock)
    async with citizen.assistant.store.hold(citizen.key) as held:
        # The first worker is still handling the ID number when the name arrives at the second.
        name = asyncio.create_task(second_worker.handle(citizen.key, Said(NAME)))
        await asyncio.sleep(0.2)
        assert not name.done()
        assert held.dialog is not None
        held.save = held.dialog.with_data(id_number=ID_NUMBER).model_copy(update={"step": StepName.FULL_NAME})
    handled = await name
    assert "Step 3/8" in handled.replies[-1].text
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.step == StepName.BIRTH_DATE
    assert (dialog.data.id_number, dialog.data.full_name) == (ID_NUMBER, NAME)
    await other_redis.aclose()


async def test_dialog_survives_a_restart_with_a_fresh_connection(
    citizen: Citizen, redis_url: str, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs,
    clock: ManualClock,
) -> None:
    await citizen.fill_until(StepName.BIRTH_DATE, "en")
    restarted_redis = Redis.from_url(redis_url)
    restarted = Assistant(RedisDialogStore(restarted_redis, codec), portal, catalogs, clock)
    handled = await restarted.handle(citizen.key, Said("05/09/1990"))
    assert "Step 4/8" in handled.replies[-1].text
    assert handled.dialog.data.full_name == NAME
    await restarted_redis.aclose()


async def test_refusal_leaves_the_stored_document_untouched(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    before = await citizen.assistant.store._redis.get(citizen.key.dialog)
    await citizen.send("R2-D2")
    assert document_of(await citizen.assistant.store._redis.get(citizen.key.dialog)) == document_of(before)


async def test_idle_dialogs_expire_after_a_day(citizen: Citizen) -> None:
    await citizen.fill_until(StepName.FULL_NAME, "en")
    ttl = await citizen.assistant.store._redis.pttl(citizen.key.dialog)
    assert 23 * 3600 * 1000 < ttl <= 24 * 3600 * 1000


async def test_a_worker_reads_what_another_saved_or_erased_since_it_last_held_the_dialog(
    redis: Redis, codec: DialogCodec,
) -> None:
    """Each worker keeps the dialogs it last read or wrote decoded (bot/storage/decoded.py): only for as long as
    Redis holds that very document, so another worker's save, an erase or a damaged value is seen at once."""
    key = DialogKey("test", "1", "1")
    first, second = RedisDialogStore(redis, codec), RedisDialogStore(redis, codec)
    async with first.hold(key) as held:
        held.save = Dialog().with_data(full_name=NAME)
    async with first.hold(key) as held:  # its own save, as it wrote it
        assert held.dialog is not None and held.dialog.data.full_name == NAME
    async with second.hold(key) as held:
        assert held.dialog is not None
        held.save = held.dialog.with_data(id_number=ID_NUMBER).at(StepName.BIRTH_DATE)
    async with first.hold(key) as held:
        assert held.dialog is not None and held.dialog.step is StepName.BIRTH_DATE
        assert (held.dialog.data.id_number, held.dialog.data.full_name) == (ID_NUMBER, NAME)
    async with second.hold(key) as held:
        held.erase = True
    async with first.hold(key) as held:
        assert held.dialog is None and not held.unreadable
        held.save = Dialog().with_data(full_name=NAME)
    value = await redis.get(key.dialog)
    assert value is not None
    await redis.set(key.dialog, value[:-3])  # the sealed personal data cut short
    async with first.hold(key) as held:
        assert held.dialog is None and held.unreadable


async def test_a_lock_left_by_a_dead_worker_expires(redis: Redis, codec: DialogCodec) -> None:
    key = DialogKey("test", "1", "1")
    store = RedisDialogStore(redis, codec, lock_ttl=0.3, wait=5)
    await redis.set(key.lock, "dead-worker", px=300)
    async with store.hold(key) as held:
        held.save = Dialog()
    assert await store.load(key) == Dialog()


async def test_dialog_encrypted_with_another_key_is_not_readable(redis: Redis, codec: DialogCodec) -> None:
    key = DialogKey("test", "1", "1")
    async with RedisDialogStore(redis, codec).hold(key) as held:
        held.save = Dialog().with_data(id_number=ID_NUMBER)
    stranger = RedisDialogStore(redis, DialogCodec([Fernet.generate_key()]))
    with pytest.raises(UnreadableDialog):
        await stranger.load(key)


async def test_key_rotation_keeps_old_dialogs_readable(redis: Redis) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    key = DialogKey("test", "1", "1")
    async with RedisDialogStore(redis, DialogCodec([old])).hold(key) as held:
        held.save = Dialog().with_data(full_name=NAME)
    rotated = RedisDialogStore(redis, DialogCodec([new, old]))
    loaded = await rotated.load(key)
    assert loaded is not None and loaded.data.full_name == NAME


async def test_an_event_handled_before_is_recognised(redis: Redis, codec: DialogCodec) -> None:
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    async with store.hold(key, event_id="41") as held:
        held.save = Dialog()
    with pytest.raises(AlreadyHandled):
        async with store.hold(key, event_id="41"):
            pass
    async with store.hold(key, event_id="42"):
        pass  # a new one is handled, even when it changes nothing


async def test_a_handled_event_that_comes_again_gets_its_answer_once_and_only_until_the_next_event(
    redis: Redis, codec: DialogCodec,
) -> None:
    """A worker may die after the save and before sending: the re-delivery finds the answer, sealed."""
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    answer = f"Step 3/8: {NAME}, what is your date of birth?".encode()
    async with store.hold(key, event_id="41") as held:
        held.save, held.answer = Dialog(), answer
    kept = (await redis.get(key.unsent) or b"").partition(b"\n")[2]
    assert codec.open_answer(kept) == answer
    with pytest.raises(UnreadableDialog):  # sealed: only the configured keys open it
        DialogCodec([Fernet.generate_key()]).open_answer(kept)
    assert 0 < await redis.pttl(key.unsent) <= ANSWER_KEPT * 1000  # not for the dialog's whole 24 hours
    for expected in (answer, None):  # given to one re-delivery only
        with pytest.raises(AlreadyHandled) as seen:
            async with store.hold(key, event_id="41"):
                pass
        assert seen.value.answer == expected

    async with store.hold(key, event_id="42") as held:
        held.answer = b"the answer to 42"
    async with store.hold(key, event_id="43"):
        pass  # answered nothing: 42's answer is not kept past it
    for event in ("42", "43"):
        with pytest.raises(AlreadyHandled) as seen:
            async with store.hold(key, event_id=event):
                pass
        assert seen.value.answer is None
    async with store.hold(key, event_id="44") as held:
        held.answer = b"the answer to 44"
    async with store.hold(key) as held:  # the password form submitted, or staff acting: the dialog moves on
        held.save = Dialog(language="en")
    with pytest.raises(AlreadyHandled) as seen:
        async with store.hold(key, event_id="44"):
            pass
    assert seen.value.answer is None  # 44's answer would take the citizen back

    async with store.hold(key, event_id="45") as held:
        held.answer = b"the answer to 45"
    async with store.hold(key) as held:
        held.erase = True
    assert not await redis.exists(key.unsent)


def test_a_kept_answer_is_read_by_the_release_before_and_one_it_kept_by_this_one() -> None:
    """A rolling restart: workers of both releases answer re-deliveries. The release before compressed the kept
    answer and opened every one with `zlib.decompress`; this one keeps it uncompressed, framed so that reads it."""
    key = Fernet.generate_key()
    codec, answers = DialogCodec([key]), Sealer([key], b"regbot unsent answer")
    answer = f"Step 3/8: {NAME}, what is your date of birth?".encode() * 3
    kept_now = codec.seal_answer(answer)
    assert zlib.decompress(answers.open(kept_now)) == answer  # what the release before does with it
    assert answer in answers.open(kept_now)  # not compressed: no CPU spent on an answer that lives a second
    compressor = zlib.compressobj(6, zlib.DEFLATED, 11, 4)  # how the release before kept it
    kept_before = answers.seal(compressor.compress(answer) + compressor.flush())
    assert codec.open_answer(kept_before) == answer
    big = bytes(range(256)) * 600  # past one stored block (64 KB)
    assert codec.open_answer(codec.seal_answer(big)) == big
    assert codec.open_answer(codec.seal_answer(b"")) == b""


async def test_an_event_whose_handling_failed_is_handled_again(redis: Redis, codec: DialogCodec) -> None:
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    with pytest.raises(RuntimeError):
        async with store.hold(key, event_id="41"):
            raise RuntimeError("worker failed mid-way")
    async with store.hold(key, event_id="41") as held:
        held.save = Dialog(language="en")
    assert await store.load(key) == Dialog(language="en")


async def test_only_the_latest_events_are_remembered(redis: Redis, codec: DialogCodec) -> None:
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    for update_id in range(100, 100 + HANDLED_KEPT + 5):
        async with store.hold(key, event_id=str(update_id)) as held:
            held.save = Dialog()
    assert not await redis.exists(key.handled)  # kept in the dialog's own value: no key of their own
    raw = await redis.get(key.dialog)
    assert document_of(raw) == codec.encode(Dialog()) and len(raw) == len(document_of(raw)) + 10 + 6 * 8
    with pytest.raises(AlreadyHandled):  # the newest are still recognised …
        async with store.hold(key, event_id=str(100 + 5)):
            pass
    async with store.hold(key, event_id="104"):  # … the oldest, forgotten, would be handled again
        pass


async def test_a_refused_update_is_remembered_with_the_dialog_left_as_it_was(redis: Redis, codec: DialogCodec) -> None:
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    async with store.hold(key, event_id="7"):  # refused before there was any dialog: nothing to save
        pass
    assert await store.load(key) is None
    with pytest.raises(AlreadyHandled):
        async with store.hold(key, event_id="7"):
            pass
    async with store.hold(key, event_id="8") as held:
        held.save = Dialog(step=StepName.FULL_NAME)
    async with store.hold(key, event_id="9"):  # refused: the document stays, the update is remembered
        pass
    assert await store.load(key) == Dialog(step=StepName.FULL_NAME)
    for update_id in ("7", "8", "9"):
        with pytest.raises(AlreadyHandled):
            async with store.hold(key, event_id=update_id):
                pass


async def test_updates_handled_before_the_upgrade_are_still_recognised_and_moved_into_the_dialog(
    redis: Redis, codec: DialogCodec,
) -> None:
    """The earlier release kept a dialog's update ids in a set beside its document (a key of its own)."""
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    await redis.set(key.dialog, codec.encode(Dialog(step=StepName.PHONE)), px=86_400_000)
    await redis.sadd(key.handled, *(str(update_id) for update_id in range(200, 210)))
    await redis.pexpire(key.handled, 86_400_000)
    with pytest.raises(AlreadyHandled):
        async with store.hold(key, event_id="209"):
            pass
    async with store.hold(key, event_id="210") as held:
        assert held.dialog == Dialog(step=StepName.PHONE)
        held.save = Dialog(step=StepName.EMAIL)
    assert not await redis.exists(key.handled)
    for update_id in range(203, 211):  # the 8 newest, moved into the dialog's value
        with pytest.raises(AlreadyHandled):
            async with store.hold(key, event_id=str(update_id)):
                pass
    assert await store.load(key) == Dialog(step=StepName.EMAIL)


async def test_dialogs_stored_in_the_earlier_fernet_format_are_still_read(redis: Redis) -> None:
    secret = Fernet.generate_key()
    key = DialogKey("test", "1", "1")
    personal = Fernet(secret).encrypt(b'{"full_name":"Nguy\\u1ec5n V\\u0103n An"}').decode()
    await redis.set(key.dialog, f'{{"step":"birth_date","schema_version":2,"pii":"{personal}"}}')
    dialog = await RedisDialogStore(redis, DialogCodec([secret])).load(key)
    assert dialog is not None and dialog.step is StepName.BIRTH_DATE and dialog.data.full_name == NAME


async def test_personal_data_is_not_readable_in_redis(redis: Redis, codec: DialogCodec) -> None:
    key = DialogKey("test", "1", "1")
    async with RedisDialogStore(redis, codec).hold(key) as held:
        held.save = Dialog(step=StepName.BIRTH_DATE).with_data(id_number=ID_NUMBER, full_name=NAME)
    raw = await redis.get(key.dialog)
    assert raw.startswith(b'{"step":"birth_date"')  # where the citizen is stays readable (no update ids before it)
    assert ID_NUMBER.encode() not in raw and NAME.encode() not in raw and b"Nguy" not in raw


async def test_a_dialog_no_key_opens_starts_afresh_instead_of_locking_the_citizen_out(
    redis: Redis, codec: DialogCodec,
) -> None:
    key = DialogKey("test", "1", "1")
    async with RedisDialogStore(redis, DialogCodec([Fernet.generate_key()])).hold(key) as held:
        held.save = Dialog(step=StepName.BIRTH_DATE).with_data(full_name=NAME)  # sealed with a key since retired
    async with RedisDialogStore(redis, codec).hold(key) as held:
        assert held.dialog is None
        held.save = Dialog(language="en")
    assert await RedisDialogStore(redis, codec).load(key) == Dialog(language="en")


async def test_a_tally_counts_each_event_once_in_its_window(redis: Redis, codec: DialogCodec) -> None:
    """The message rate rides on the lock: a re-delivered update and a busy dialog's retries are not counted."""
    store, key, tally = RedisDialogStore(redis, codec), DialogKey("test", "1", "1"), Tally("test:rate:1", 60_000)
    async with store.hold(key, event_id="41", tally=tally) as held:
        assert held.counted is not None and held.counted.number == 1
        assert 59_000 < held.counted.left_ms <= 60_000
        held.save = Dialog()
        waiting = asyncio.create_task(_counted(store, key, "42", tally))
        await asyncio.sleep(0.1)  # it retries the lock meanwhile
    assert await waiting == 2
    with pytest.raises(AlreadyHandled):
        await _counted(store, key, "41", tally)
    assert await _counted(store, key, "43", tally) == 3
    assert not await redis.exists(tally.key)  # counted in the dialog's own value: no key of its own


async def test_a_tally_starts_afresh_once_its_window_ended(redis: Redis, codec: DialogCodec) -> None:
    store, key, tally = RedisDialogStore(redis, codec), DialogKey("test", "1", "1"), Tally("test:rate:1", 300)
    assert [await _counted(store, key, update_id, tally) for update_id in ("1", "2")] == [1, 2]
    ends = message_window_ends(await redis.get(key.dialog))
    while (lambda seconds, micros: seconds * 1000 + micros // 1000)(*await redis.time()) < ends:
        await asyncio.sleep(0.02)  # Redis's clock, which the window is counted by, passes its end
    assert await _counted(store, key, "3", tally) == 1


async def test_a_count_from_before_the_upgrade_goes_on(redis: Redis, codec: DialogCodec) -> None:
    """The earlier release counted in a key of its own, for its window: read until the dialog's value has a count."""
    store, key = RedisDialogStore(redis, codec), DialogKey("test", "1", "1")
    tally = Tally(key.message_rate, 60_000)
    await redis.set(key.dialog, codec.encode(Dialog()), px=86_400_000)
    await redis.set(key.message_rate, 5, px=30_000)
    async with store.hold(key, event_id="9", tally=tally) as held:
        assert held.counted is not None and held.counted.number == 6 and 29_000 < held.counted.left_ms <= 30_000
    assert await _counted(store, key, "10", tally) == 7


async def _counted(store: DialogStore, key: DialogKey, event_id: str, tally: Tally) -> int:
    async with store.hold(key, event_id=event_id, tally=tally) as held:
        assert held.counted is not None
        return held.counted.number


async def test_a_kept_answer_goes_to_a_redelivery_only_once_the_worker_that_wrote_it_is_gone(
    redis: Redis, codec: DialogCodec,
) -> None:
    """Two webhook workers: one that still beats is sending the answer itself (or a duplicate of the update
    reached both at once), so the other sends nothing; once its heartbeat runs out (killed after the save,
    before sending), the other sends it, once."""
    key, answer = DialogKey("test", "7", "7"), b"Step 7/8: the code sent to 082****088"
    writer = RedisDialogStore(redis, codec, worker="a1", heartbeat_ttl=0.2)
    other = RedisDialogStore(redis, codec, worker="b2", heartbeat_ttl=0.2)
    await redis.set(worker_heartbeat("a1"), 1, px=60_000)  # the writer is alive
    async with writer.hold(key, event_id="70") as held:
        held.save, held.answer = Dialog(), answer
    for store in (writer, other):  # the writer's own duplicate, then the other worker's, while it beats
        with pytest.raises(AlreadyHandled) as seen:
            async with store.hold(key, event_id="70"):
                pass
        assert seen.value.answer is None
    assert await redis.exists(key.unsent)  # still kept: the writer may yet die before sending
    await redis.delete(worker_heartbeat("a1"))  # as a killed worker's heartbeat runs out
    for expected in (answer, None):
        with pytest.raises(AlreadyHandled) as seen:
            async with other.hold(key, event_id="70"):
                pass
        assert seen.value.answer == expected


async def test_a_heartbeat_stays_while_its_worker_runs_and_goes_when_it_stops(redis: Redis) -> None:
    beat = Heartbeat(redis, "c3", ttl=5)
    beating = asyncio.create_task(beat.run())
    try:
        async with asyncio.timeout(5):
            while not await redis.exists(worker_heartbeat("c3")):
                await asyncio.sleep(0.01)
        assert 0 < await redis.pttl(worker_heartbeat("c3")) <= 5000  # runs out by itself if the worker is killed
    finally:
        beating.cancel()
    await beat.stop()
    assert not await redis.exists(worker_heartbeat("c3"))



async def test_a_redis_that_forgot_its_scripts_still_saves_and_lists_the_dialog_as_idle(
    redis: Redis, codec: DialogCodec, portal: PortalClient, catalogs: Catalogs, clock: ManualClock, sandbox: Sandbox,
) -> None:
    """A Redis restarted or failed over has no scripts loaded: the save, sent beside the idle set's write in
    one round trip, loads its script and is done all the same."""
    store = RedisDialogStore(redis, codec, idle_after=0.0)
    citizen = Citizen(Assistant(store, portal, catalogs, clock), sandbox)
    await citizen.start("en")
    await redis.script_flush()
    await citizen.send("/language vi")
    dialog = await citizen.dialog()
    assert dialog is not None and dialog.language == "vi"
    assert await store.take_idle(citizen.key.bot) == [citizen.key]


async def test_an_answer_reported_sent_is_forgotten_unless_a_newer_one_replaced_it(
    redis: Redis, codec: DialogCodec,
) -> None:
    """A dialog parked after its answer (at the password step, say) does not carry it for an hour."""
    store = RedisDialogStore(redis, codec, worker="a1", forget_sent_after=3600)  # forgotten when asked, below
    key = DialogKey("test", "1", "1")
    async with store.hold(key, event_id="41") as held:
        held.save, held.answer = Dialog(), b"the answer to 41"
    store.answer_sent(key, "41")
    async with store.hold(key, event_id="42") as held:  # the next update, handled before the sent ones are forgotten
        held.answer = b"the answer to 42"
    await redis.script_flush()  # as after a restart of Redis: the script is loaded again
    await store.forget_sent()
    assert codec.open_answer((await redis.get(key.unsent) or b"").partition(b"\n")[2]) == b"the answer to 42"

    store.answer_sent(key, "42")
    await store.forget_sent()
    assert not await redis.exists(key.unsent)
    other = RedisDialogStore(redis, codec, worker="b2", heartbeat_ttl=0.01)
    with pytest.raises(AlreadyHandled) as seen:  # its re-delivery: handled, and nothing left to send
        async with other.hold(key, event_id="42"):
            pass
    assert seen.value.answer is None


def test_personal_data_is_stored_as_its_values_in_an_order_naming_every_field(codec: DialogCodec) -> None:
    """The sealed plaintext names no field, so the codec's order must cover each one, or a field is lost."""
    assert sorted(PERSONAL_FIELDS) == sorted(PersonalData.model_fields)
    data = PersonalData(id_number="001090012345", full_name=NAME, birth_date=date(1990, 9, 5), phone="+84821234088",
                        scanned=ScannedCard(id_number="001090012345", full_name=NAME, birth_date=date(1990, 9, 5)))
    dialog = Dialog(language="en", data=data)
    assert codec.decode(codec.encode(dialog)) == dialog
    assert codec.decode(codec.encode(Dialog(data=PersonalData(email="an@example.vn")))).data.email == "an@example.vn"


def test_a_dialog_written_with_its_personal_data_as_an_object_is_still_read() -> None:
    """The form written before issue 18: the sealed plaintext a JSON object of the fields."""
    key = Fernet.generate_key()
    codec = DialogCodec([key])
    plain = json.dumps({"id_number": "001090012345", "full_name": NAME, "birth_date": "1990-09-05"}).encode()
    public = json.dumps({"step": "phone", "schema_version": SCHEMA_VERSION}).encode()
    dialog = codec.decode(public + SEALED + Sealer([key], PERSONAL).seal(plain))
    assert dialog.data == PersonalData(id_number="001090012345", full_name=NAME, birth_date=date(1990, 9, 5))
