"""Dialog ⇄ bytes, with every personal field encrypted at rest.

The step, language and timers stay readable (operators can see where
citizens are stuck); `PersonalData` becomes one Fernet token. Several keys
may be given, newest first, so a key can be rotated without losing dialogs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from conversations.dialog import SCHEMA_VERSION, Dialog, PersonalData


class UnreadableDialog(Exception):
    """A stored dialog that this release cannot read (other key, other schema)."""


class DialogCodec:
    def __init__(self, fernet: MultiFernet) -> None:
        self._fernet = fernet

    def encode(self, dialog: Dialog) -> bytes:
        document = dialog.model_dump(mode="json", exclude={"data"}, exclude_defaults=True)
        document["schema_version"] = dialog.schema_version
        if not dialog.data.is_empty():
            plain = dialog.data.model_dump_json(exclude_defaults=True).encode()
            document["pii"] = self._fernet.encrypt(plain).decode()
        return json.dumps(document, separators=(",", ":")).encode()

    def decode(self, raw: bytes) -> Dialog:
        document = json.loads(raw)
        if document.get("schema_version") == 1:  # the only change: a help-desk request is now a handoff
            document.pop("human_requested_at", None)
            document["schema_version"] = SCHEMA_VERSION
        if document.get("schema_version") != SCHEMA_VERSION:
            raise UnreadableDialog(f"schema {document.get('schema_version')!r}, expected {SCHEMA_VERSION}")
        token = document.pop("pii", None)
        try:
            data = PersonalData.model_validate_json(self._fernet.decrypt(token)) if token else PersonalData()
        except InvalidToken as error:
            raise UnreadableDialog("personal data encrypted with an unknown key") from error
        return Dialog.model_validate({**document, "data": data})


def load_fernet(keys: str | None, data_dir: Path) -> MultiFernet:
    """The configured keys, or a development key generated once and kept (0600) in `data_dir`."""
    if keys:
        return MultiFernet([Fernet(key.strip()) for key in keys.split(",") if key.strip()])
    path = data_dir / "dialog.key"
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by a second worker at the same moment
    else:
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
    return MultiFernet([Fernet(path.read_bytes().strip())])
