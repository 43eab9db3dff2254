"""Service configuration, read from ``SHOMEI_*`` environment variables (and ``.env``)."""

from __future__ import annotations

import ipaddress
from functools import cache
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_PASSPHRASES = frozenset({"", "changeme", "change-me", "secret", "password"})


class Settings(BaseSettings):
    """Everything the service can be told; ``create_app`` takes one of these."""

    model_config = SettingsConfigDict(env_prefix="SHOMEI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./var/shomei.db"
    base_url: str = "http://127.0.0.1:8000"
    key_passphrase: SecretStr = SecretStr("")
    development: bool = False
    fetch_allow: str = ""
    did_web_http_hosts: str = ""
    max_upload_bytes: int = 5 * 1024 * 1024
    max_image_bytes: int = 1024 * 1024
    verify_rate_per_minute: int = 120
    # Requests and bodies are bounded before any route runs (app.middleware).
    max_json_bytes: int = 1024 * 1024
    key_rate_per_minute: int = 1200
    trusted_proxies: str = ""
    redis_url: str = ""
    # Fair verification slots (app.verification.fairness).
    verify_slots_per_client: int = 2
    verify_fetch_seconds_per_minute: float = 60.0

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SHOMEI_BASE_URL must be an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _real_secrets_outside_development(self) -> Settings:
        passphrase = self.key_passphrase.get_secret_value()
        if not self.development and passphrase.lower() in PLACEHOLDER_PASSPHRASES:
            raise ValueError(
                "SHOMEI_KEY_PASSPHRASE must be set to a real passphrase "
                "(or SHOMEI_DEVELOPMENT=true for a local development run)"
            )
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for entry in value.split(","):
            if entry.strip():
                ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names it
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "redis+unix://")):
            raise ValueError("SHOMEI_REDIS_URL must be a redis:// or rediss:// URL")
        return value

    @property
    def host(self) -> str:
        """The base URL's host, with ``:port`` when it has one."""
        return urlsplit(self.base_url).netloc

    @property
    def http_did_web_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.did_web_http_hosts.split(",") if h.strip())


@cache
def get_settings() -> Settings:
    """The process settings, read once on first use (never at import time)."""
    return Settings()
