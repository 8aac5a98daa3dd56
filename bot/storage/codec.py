"""Dialog ⇄ bytes, with every personal field encrypted at rest.

The step, language and timers stay readable JSON (operators can see where
citizens are stuck); `PersonalData` is sealed (bot/storage/sealing.py) and
stored as raw bytes after a newline, so a dialog costs its plaintext plus 30
bytes, not the third more that a base64 token inside the JSON would. The
plaintext is the fields' values in a fixed order (`PERSONAL_FIELDS`), not an
object naming them: 50 bytes less for every dialog past the email step,
which Redis holds for a day (issue 18). Documents written before these
forms (Fernet, base64 inside the JSON; the sealed JSON object) are still
read. The answer kept beside a dialog for its update's re-delivery
(see `Held.answer`) is sealed here too, under a key of its own.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import ValidationError

from bot.storage.dev_key import development_key
from bot.storage.dialogs import UnreadableDialog as UnreadableDialog  # where it was before bot/storage/dialogs.py
from bot.storage.sealing import Sealer, Unsealable
from conversations.dialog import SCHEMA_VERSION, Dialog, PersonalData

_SEPARATOR = b"\n"  # then a format byte and the sealed personal data; JSON never contains a raw newline
_AS_OBJECT = b"\x01"  # the sealed personal data is a JSON object (written before issue 18; still read)
_AS_VALUES = b"\x02"  # a JSON array of PERSONAL_FIELDS' values, trailing nulls left out
PERSONAL_FIELDS = ("id_number", "full_name", "birth_date", "phone", "email", "unconfirmed_id_number", "scanned")
"""The order of the personal data's values as stored: append new fields, never reorder (documents are read by it)."""


class DialogCodec:
    def __init__(self, keys: Sequence[bytes]) -> None:
        """`keys`: url-safe base64 of 32 random bytes each (as `Fernet.generate_key()` makes), newest first."""
        self._legacy = MultiFernet([Fernet(key) for key in keys])  # checks each key's form; one at least
        self._sealer = Sealer(keys, b"regbot dialog personal data")
        self._answers = Sealer(keys, b"regbot unsent answer")

    def encode(self, dialog: Dialog) -> bytes:
        document = dialog.model_dump(mode="json", exclude={"data"}, exclude_defaults=True)
        document["schema_version"] = dialog.schema_version
        public = orjson.dumps(document)  # about a tenth of the stdlib json's time for a dialog (issue 18)
        if dialog.data.is_empty():
            return public
        values = dialog.data.model_dump(mode="json")
        row = [values[name] for name in PERSONAL_FIELDS]
        while row[-1] is None:
            row.pop()
        plain = orjson.dumps(row)  # a third smaller than an object
        return public + _SEPARATOR + _AS_VALUES + self._sealer.seal(plain)

    def decode(self, raw: bytes) -> Dialog:
        """The dialog in `raw`; `UnreadableDialog` when it cannot be read, for whatever reason, saying why by
        error types and counts only: pydantic's own message quotes the input (a name, a birth date)."""
        try:
            return self._decode(raw)
        except ValidationError as error:
            kinds = sorted({detail["type"] for detail in error.errors(include_url=False, include_input=False)})
            raise UnreadableDialog(f"{error.error_count()} invalid field(s): {', '.join(kinds)}") from None
        except (ValueError, TypeError, AttributeError) as error:  # not JSON (orjson's error is a ValueError), not
            # an object, not UTF-8
            raise UnreadableDialog(f"not a dialog document: {type(error).__name__}") from None

    def _decode(self, raw: bytes) -> Dialog:
        public, _, rest = raw.partition(_SEPARATOR)
        form, sealed = rest[:1], rest[1:]
        document = orjson.loads(public)
        if document.get("schema_version") == 1:  # the only change: a help-desk request is now a handoff
            document.pop("human_requested_at", None)
            document["schema_version"] = SCHEMA_VERSION
        if document.get("schema_version") != SCHEMA_VERSION:
            raise UnreadableDialog(f"schema {document.get('schema_version')!r}, expected {SCHEMA_VERSION}")
        token = document.pop("pii", None)  # the legacy format
        plain = self._open(sealed) if sealed else self._open_legacy(token) if token else None
        data = _personal(plain, form) if plain else PersonalData()
        return Dialog.model_validate({**document, "data": data})

    def seal_answer(self, plain: bytes) -> bytes:
        """What an event was answered (it may name the citizen): kept beside the dialog, so sealed alike; framed
        as a zlib stream of stored blocks (`_stored`), which every release reads."""
        return self._answers.seal(_stored(plain))

    def open_answer(self, sealed: bytes) -> bytes:
        try:
            return zlib.decompress(self._answers.open(sealed))
        except Unsealable as error:
            raise UnreadableDialog("an answer sealed with an unknown key") from error

    def _open(self, sealed: bytes) -> bytes:
        try:
            return self._sealer.open(sealed)
        except Unsealable as error:
            raise UnreadableDialog("personal data sealed with an unknown key") from error

    def _open_legacy(self, token: str) -> bytes:
        try:
            return self._legacy.decrypt(token)
        except InvalidToken as error:
            raise UnreadableDialog("personal data encrypted with an unknown key") from error


_STORED_HEADER = b"\x78\x01"  # a zlib stream (RFC 1950), "fastest": what zlib writes at level 0
_STORED_BLOCK = 0xFFFF  # the most a stored deflate block holds (RFC 1951, 3.2.4)


def _stored(plain: bytes) -> bytes:
    """`plain` as a zlib stream of stored (uncompressed) blocks: what `zlib.compress(plain, 0)` writes, framed
    here in about a tenth of its time, so the releases before, which `zlib.decompress` every kept answer, read it
    too (a rolling restart). Compressing cost 15–50 µs of CPU on every update for an answer that lives
    about a second (`forget_sent`) and shrank by a third; unused when re-sent, it is now kept as it is."""
    blocks = [_STORED_HEADER]
    last = max(0, len(plain) - 1) // _STORED_BLOCK * _STORED_BLOCK
    for start in range(0, last + 1, _STORED_BLOCK):
        block = plain[start:start + _STORED_BLOCK]
        size = len(block)
        blocks.append(struct.pack("<BHH", start == last, size, size ^ 0xFFFF))
        blocks.append(block)
    blocks.append(struct.pack(">I", zlib.adler32(plain)))
    return b"".join(blocks)


def _personal(plain: bytes, form: bytes) -> PersonalData:
    if form == _AS_VALUES:
        row = orjson.loads(plain)
        if not isinstance(row, list) or len(row) > len(PERSONAL_FIELDS):
            raise ValueError("personal data of another shape")
        return PersonalData.model_validate(dict(zip(PERSONAL_FIELDS, row, strict=False)))
    if form in (_AS_OBJECT, b""):  # b"": the legacy Fernet token inside the JSON
        return PersonalData.model_validate_json(plain)
    raise UnreadableDialog(f"personal data in an unknown form {form!r}")


def load_keys(configured: str | None, data_dir: Path) -> list[bytes]:
    """The configured keys, or a development key generated once and kept (0600, in a 0700 `data_dir`)."""
    if configured:
        return [key.strip().encode() for key in configured.split(",") if key.strip()]
    return [development_key(data_dir)]
