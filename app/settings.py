"""Service configuration, read from ``SHOMEI_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import cache

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be told; ``create_app`` takes one of these."""

    model_config = SettingsConfigDict(env_prefix="SHOMEI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/shomei.db"
    base_url: str = "http://127.0.0.1:8000"
    key_passphrase: SecretStr | None = None
    development: bool = False
    fetch_allow: str = ""
    did_web_http_hosts: str = ""

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SHOMEI_BASE_URL must be an http(s) URL")
        return value.rstrip("/")


@cache
def get_settings() -> Settings:
    """The process settings, read once on first use (never at import time)."""
    return Settings()
