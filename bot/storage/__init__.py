"""Dialog storage: where dialogs live between messages, and who may touch them.

The package exports the interface (bot/storage/dialogs.py), the codec and the key names; the Redis
implementation is imported from bot.storage.redis_store by the code that builds it.
"""

from bot.storage.codec import DialogCodec, load_keys
from bot.storage.dialogs import (
    AlreadyHandled,
    Counted,
    DialogBusy,
    DialogKey,
    DialogStore,
    Held,
    LockLost,
    Tally,
    UnreadableDialog,
    load_readable,
)

__all__ = [
    "AlreadyHandled", "Counted", "DialogBusy", "DialogCodec", "DialogKey", "DialogStore", "Held", "LockLost", "Tally",
    "UnreadableDialog", "load_keys", "load_readable",
]
