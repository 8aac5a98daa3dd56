"""The development key: made once in DATA_DIR when DIALOG_ENCRYPTION_KEY is unset, readable by this user only.

It opens every dialog sealed with it, so it is kept as an SSH key is: the
file 0600 in a 0700 directory. A key file that group or others can read or
write is refused rather than used: someone may have read it, or may have
replaced it with one they know.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet

log = logging.getLogger(__name__)

KEY_FILE = "dialog.key"
OTHERS = stat.S_IRWXG | stat.S_IRWXO  # any permission for group or others


def development_key(data_dir: Path) -> bytes:
    """The key in `data_dir/dialog.key`, generated on first use (by whichever worker comes first)."""
    private_directory(data_dir)
    path = data_dir / KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        refuse_if_exposed(path)  # made earlier, or by a second worker at the same moment
    else:
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
    return path.read_bytes().strip()


def private_directory(directory: Path) -> None:
    """Make `directory` 0700, creating it or closing an existing one (DATA_DIR is the product's own)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & OTHERS:
        try:
            directory.chmod(0o700)
        except PermissionError:
            raise SystemExit(f"DATA_DIR {directory} is open to others (mode {mode:03o}) and not yours to close: "
                             f"run `chmod 700 {directory}`, or set DIALOG_ENCRYPTION_KEY") from None
        log.warning("DATA_DIR %s was open to others (mode %03o): now 0700, as it holds the dev key",
                    directory, mode)


def refuse_if_exposed(path: Path) -> None:
    """SystemExit with how to fix it, when group or others may read or write the key file."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & OTHERS:
        raise SystemExit(f"the dev key {path} is readable or writable by others (mode {mode:03o}): "
                         f"run `chmod 600 {path}` (or set DIALOG_ENCRYPTION_KEY), then start again")
