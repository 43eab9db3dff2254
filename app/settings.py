"""Service configuration, read from ``SHOMEI_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
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
    # How long another process may serve this service's own DID documents and status lists
    # after they changed (a change through this process shows at once); 0 turns it off.
    published_cache_ttl: float = Field(default=5.0, ge=0, le=60)

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
