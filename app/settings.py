"""Service configuration, read from ``SHOMEI_*`` environment variables (and ``.env``)."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from keys import MIN_PASSPHRASE_LENGTH

# Compared after lower-casing and dropping everything but letters and digits, so that
# " changeme ", "Change-Me" and "CHANGE_ME" are all caught.
PLACEHOLDER_PASSPHRASES = frozenset(
    {
        "",
        "changeme",
        "changemenow",
        "changemeplease",
        "changethis",
        "default",
        "development",
        "example",
        "keypassphrase",
        "passphrase",
        "password",
        "replaceme",
        "secret",
        "shomei",
        "shomeikeypassphrase",
        "test",
        "yourpassphrase",
        "yourpassphrasehere",
    }
)


def is_placeholder_passphrase(passphrase: str) -> bool:
    """Whether ``passphrase`` is an example value, or one character over and over."""
    folded = re.sub(r"[\W_]+", "", passphrase.casefold())
    return folded in PLACEHOLDER_PASSPHRASES or len(set(folded)) <= 1


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
    verify_batch_max_items: int = 100
    verify_batch_max_items_with_key: int = 1000

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SHOMEI_BASE_URL must be an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _real_secrets_outside_development(self) -> Settings:
        passphrase = self.key_passphrase.get_secret_value()
        if not passphrase and self.development:
            return self  # the development setup makes one (shomei serve --demo)
        if not self.development and is_placeholder_passphrase(passphrase):
            raise ValueError(
                "SHOMEI_KEY_PASSPHRASE must be set to a real passphrase, not an example value "
                "(or SHOMEI_DEVELOPMENT=true for a local development run)"
            )
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise ValueError(
                f"SHOMEI_KEY_PASSPHRASE must be at least {MIN_PASSPHRASE_LENGTH} characters long"
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
