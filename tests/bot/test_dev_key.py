"""The dev key (DIALOG_ENCRYPTION_KEY unset): made 0600 in a 0700 DATA_DIR, refused when others may touch it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import load_keys
from bot.storage.embedded import EmbeddedRedis


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that lets group and others in, so only the code's own modes keep them out."""
    previous = os.umask(0o002)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("loose_umask")
def test_the_dev_key_is_made_0600_in_a_0700_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    key = load_keys(None, data_dir)
    assert mode(data_dir) == 0o700 and mode(data_dir / "dialog.key") == 0o600
    assert load_keys(None, data_dir) == key  # kept: the next start opens the same dialogs


@pytest.mark.usefixtures("loose_umask")
def test_a_data_dir_made_by_the_embedded_redis_first_is_private_too(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    EmbeddedRedis(data_dir).close()  # `running` connects Redis before it loads the keys
    assert mode(data_dir) == 0o700


def test_an_existing_data_dir_open_to_others_is_closed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)  # as the versions before this one made it
    load_keys(None, data_dir)
    assert mode(data_dir) == 0o700


@pytest.mark.parametrize("exposed", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_file_others_may_read_or_write_is_refused_with_how_to_fix_it(tmp_path: Path, exposed: int) -> None:
    load_keys(None, tmp_path)
    key_file = tmp_path / "dialog.key"
    key_file.chmod(exposed)
    with pytest.raises(SystemExit) as refused:
        load_keys(None, tmp_path)
    message = str(refused.value.code)
    assert "\n" not in message and f"chmod 600 {key_file}" in message and f"{exposed:03o}" in message
    key_file.chmod(0o600)
    assert load_keys(None, tmp_path)  # fixed as it says: accepted


def test_a_configured_key_touches_no_file(tmp_path: Path) -> None:
    assert load_keys(" k1 , k2 ", tmp_path / "data") == [b"k1", b"k2"]
    assert not (tmp_path / "data").exists()
