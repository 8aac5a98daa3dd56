"""Which channels `regbot run` serves, from the settings; a half-made choice stops it with one line.

Telegram is on with TELEGRAM_BOT_TOKEN, Zalo with ZALO_APP_ID. A Zalo
account missing one of its secrets, or a secret left without ZALO_APP_ID,
is an operator's slip that must not start a bot which then cannot refresh
its token or check a webhook's signature: it fails closed, before anything
is built, naming what to set (never a value).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from bot.app.settings import Settings
from bot.channels.zalo.config import ZaloConfig

NO_CHANNEL = (
    "Neither TELEGRAM_BOT_TOKEN nor ZALO_APP_ID is set, so regbot run has no channel to serve. For Telegram, "
    "create a bot with @BotFather and run: TELEGRAM_BOT_TOKEN=123456:ABC... regbot run "
    "(for Zalo see docs/zalo.md; to try the registration without either: regbot console)")

ZALO_SECRETS = ("ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_REFRESH_TOKEN")


@dataclass(frozen=True, slots=True)
class Channels:
    telegram_token: str | None
    zalo: ZaloConfig | None


def chosen_channels(settings: Settings) -> Channels:
    zalo = zalo_config(settings)
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    if token is None and zalo is None:
        raise SystemExit(NO_CHANNEL)
    return Channels(token, zalo)


def zalo_config(settings: Settings) -> ZaloConfig | None:
    """The Zalo account when ZALO_APP_ID is set and each of ZALO_SECRETS is too; None when Zalo is off."""
    secrets: dict[str, SecretStr | None] = {
        "ZALO_APP_SECRET": settings.zalo_app_secret, "ZALO_OA_SECRET_KEY": settings.zalo_oa_secret_key,
        "ZALO_REFRESH_TOKEN": settings.zalo_refresh_token}
    given = [name for name in ZALO_SECRETS if _value(secrets[name])]
    if not settings.zalo_app_id:
        stray = given + (["ZALO_ACCESS_TOKEN"] if _value(settings.zalo_access_token) else [])
        if stray:
            raise SystemExit(f"Zalo is half-configured: {', '.join(stray)} set but not ZALO_APP_ID "
                             "(set it to turn Zalo on, or remove them)")
        return None
    missing = [name for name in ZALO_SECRETS if name not in given]
    if missing:
        raise SystemExit(f"Zalo is half-configured: ZALO_APP_ID is set but not {', '.join(missing)} "
                         "(see docs/zalo.md for where each comes from)")
    return ZaloConfig(
        settings.zalo_app_id, _value(settings.zalo_app_secret), _value(settings.zalo_oa_secret_key),
        _value(settings.zalo_refresh_token), _value(settings.zalo_access_token) or None,
        settings.zalo_api_url.rstrip("/"), settings.zalo_oauth_url.rstrip("/"))


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value().strip() if secret is not None else ""
