"""Dialog storage: where dialogs live between messages, and who may touch them."""

from bot.storage.codec import DialogCodec, load_keys
from bot.storage.keys import DialogKey
from bot.storage.redis_store import AlreadyHandled, Counted, DialogBusy, DialogStore, Held, Tally

__all__ = [
    "AlreadyHandled", "Counted", "DialogBusy", "DialogCodec", "DialogKey", "DialogStore", "Held", "Tally", "load_keys",
]
