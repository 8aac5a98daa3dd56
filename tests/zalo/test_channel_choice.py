"""Which channels `regbot run` serves: Zalo on with ZALO_APP_ID, and a half-made choice refused in one line."""

from __future__ import annotations

import pytest

from bot.app.channel_choice import NO_CHANNEL, chosen_channels
from bot.app.settings import Settings

ZALO = {"zalo_app_id": "4321", "zalo_app_secret": "app-secret", "zalo_oa_secret_key": "oa-secret",
        "zalo_refresh_token": "refresh-1"}


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' own argument


def test_zalo_alone_is_a_channel_and_telegram_s_token_is_then_optional() -> None:
    channels = chosen_channels(settings(**ZALO))
    assert channels.telegram_token is None
    assert channels.zalo is not None
    assert channels.zalo.channel == "zalo:4321"
    assert channels.zalo.api_url == "https://openapi.zalo.me"
    assert channels.zalo.oauth_url == "https://oauth.zaloapp.com"
    assert channels.zalo.access_token is None
    assert "oa-secret" not in repr(channels.zalo) and "refresh-1" not in repr(channels.zalo)


def test_telegram_alone_leaves_zalo_off() -> None:
    channels = chosen_channels(settings(telegram_bot_token="1:abc"))
    assert channels == type(channels)("1:abc", None)


def test_no_channel_stops_with_one_line() -> None:
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings())
    assert str(stopped.value) == NO_CHANNEL and "\n" not in NO_CHANNEL


@pytest.mark.parametrize("left_out", ["zalo_app_secret", "zalo_oa_secret_key", "zalo_refresh_token"])
def test_a_zalo_account_missing_a_secret_stops_naming_it_and_no_value(left_out: str) -> None:
    values = {name: value for name, value in ZALO.items() if name != left_out} | {"telegram_bot_token": "1:abc"}
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings(**values))
    line = str(stopped.value)
    assert "\n" not in line and left_out.upper() in line
    assert not any(secret in line for secret in ("app-secret", "oa-secret", "refresh-1"))


def test_a_zalo_secret_without_the_app_id_stops_too() -> None:
    with pytest.raises(SystemExit) as stopped:
        chosen_channels(settings(telegram_bot_token="1:abc", zalo_refresh_token="refresh-1"))
    assert "ZALO_REFRESH_TOKEN set but not ZALO_APP_ID" in str(stopped.value)


def test_base_urls_are_taken_without_a_trailing_slash() -> None:
    zalo = chosen_channels(settings(**ZALO, zalo_api_url="http://127.0.0.1:9/",
                                    zalo_oauth_url="http://127.0.0.1:8/")).zalo
    assert zalo is not None and (zalo.api_url, zalo.oauth_url) == ("http://127.0.0.1:9", "http://127.0.0.1:8")
