"""The dialogs this process last read or wrote, decoded, each with the exact document it came from.

Most updates of a citizen reach the worker that handled the previous one
(always, with one worker), and find in Redis the very document it saved:
decoding it again (JSON, AES-GCM, pydantic's validation) cost about 40 µs
of CPU per update on the benchmark's machine (issue 18). A `Dialog` is
immutable, so the one that was encoded (or decoded) stands for its
document for as long as the document in Redis is byte for byte the same;
another worker's save, an expiry or an erase changes or removes it, and
the document is decoded as before. A few thousand of the latest dialogs
are kept (their personal data is in this process's memory while they are
handled anyway), and none longer than KEPT_FOR after its last use: a
citizen's data is not held in a quiet worker's memory for days after they
stopped writing (the store sweeps when it looks for idle dialogs too). An
erased dialog is dropped at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from bot.storage.keys import DialogKey
from conversations.dialog import Dialog

DECODED_KEPT = 4096  # dialogs, about 2.4 KB each (10 MB at most): a citizen answers within minutes
KEPT_FOR = 15 * 60.0  # seconds after a dialog's last use


class DecodedDialogs:
    def __init__(self, size: int = DECODED_KEPT, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._clock = clock
        self._kept: OrderedDict[DialogKey, tuple[bytes, Dialog, float]] = OrderedDict()  # least recent first

    def __contains__(self, key: DialogKey) -> bool:
        return key in self._kept

    def get(self, key: DialogKey, document: bytes) -> Dialog | None:
        """The dialog decoded from `document`, if it is the one kept for `key`."""
        kept = self._kept.get(key)
        if kept is None or kept[0] != document:
            return None
        now = self._clock()
        if now - kept[2] > KEPT_FOR:
            self.sweep()
            return None
        self._kept[key] = (document, kept[1], now)
        self._kept.move_to_end(key)
        return kept[1]

    def keep(self, key: DialogKey, document: bytes, dialog: Dialog) -> None:
        """`document` is what Redis holds for `key` now, and `dialog` what it decodes to."""
        self._kept[key] = (document, dialog, self._clock())
        self._kept.move_to_end(key)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def sweep(self) -> None:
        """Drop the dialogs not used for KEPT_FOR."""
        oldest = self._clock() - KEPT_FOR
        while self._kept:
            key, (_document, _dialog, used) = next(iter(self._kept.items()))
            if used >= oldest:
                return
            del self._kept[key]

    def forget(self, key: DialogKey) -> None:
        """What Redis holds for `key` is unknown (a failed save) or gone (an erase)."""
        self._kept.pop(key, None)
