"""Dialog storage: where dialogs live between messages, and who may touch them."""

from bot.storage.codec import DialogCodec, load_keys
from bot.storage.keys import DialogKey
from bot.storage.redis_store import AlreadyHandled, DialogBusy, DialogStore, Held

__all__ = ["AlreadyHandled", "DialogBusy", "DialogCodec", "DialogKey", "DialogStore", "Held", "load_keys"]
