"""What the Zalo channel needs to run, read from the settings by the composition root (bot/app/channel_choice.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.zalo import assumptions

CHANNEL_PREFIX = "zalo:"  # a Zalo OA's dialogs have `DialogKey.bot` = "zalo:<app id>"


@dataclass(frozen=True, slots=True)
class ZaloConfig:
    app_id: str
    app_secret: str = field(repr=False)  # the refresh call's `secret_key` header
    oa_secret_key: str = field(repr=False)  # signs the webhook's events
    refresh_token: str = field(repr=False)  # the first one only: after a rotation the pair lives in Redis
    access_token: str | None = field(default=None, repr=False)
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"

    @property
    def channel(self) -> str:
        """The channel account its dialogs, help-desk cases and limits are kept under."""
        return f"{CHANNEL_PREFIX}{self.app_id}"

    @property
    def webhook_secret(self) -> str:
        """The secret that ends a webhook signature's input (which one is unconfirmed: see assumptions.py)."""
        return self.oa_secret_key if assumptions.SIGNATURE_SECRET == "oa_secret_key" else self.app_secret
