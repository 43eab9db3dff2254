"""Service configuration, read from ``SHOMEI_*`` environment variables (and ``.env``).

One flat ``Settings`` class, grouped by concern. Every limit an operator may need to change is
a field here with a sane default, and a line in the README's configuration table (a test keeps
the two in step). Lists read the comma form from the environment (``SHOMEI_FETCH_ALLOW=a,b``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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


# Where `shomei serve --demo` (`make run`) keeps its state; every command reads it, so the
# CLI and the server agree on a fresh clone without any variable set.
VAR = Path("var")
DEVELOPMENT_PASSPHRASE_FILE = VAR / "dev-passphrase"


def _comma_list(value: Any) -> Any:
    """``"a, b"`` (the environment's form) as ``("a", "b")``; lists pass through."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CommaList = Annotated[tuple[str, ...], NoDecode]
Positive = Annotated[int, Field(gt=0)]
Seconds = Annotated[float, Field(gt=0)]


class SettingsError(ValueError):
    """The settings cannot be read; ``str(error)`` is one line an operator can act on."""


class Settings(BaseSettings):
    """Everything the service can be told; ``create_app`` takes one of these."""

    model_config = SettingsConfigDict(env_prefix="SHOMEI_", env_file=".env", extra="ignore")

    # --- the service -----------------------------------------------------------------------
    database_url: str = "sqlite:///./var/shomei.db"
    base_url: str = "http://127.0.0.1:8000"
    key_passphrase: SecretStr = SecretStr("")
    development: bool = False
    log_format: Literal["plain", "json"] = "plain"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- database --------------------------------------------------------------------------
    db_pool_size: Positive = 10
    db_max_overflow: Annotated[int, Field(ge=0)] = 20
    db_pool_timeout_s: Seconds = 30.0

    # --- uploads ---------------------------------------------------------------------------
    max_upload_bytes: Positive = 5 * 1024 * 1024
    max_image_bytes: Positive = 1024 * 1024
    # A batch's CSV file (or JSON body), and its rows: an exam session is some 7,000.
    max_batch_bytes: Positive = 20 * 1024 * 1024
    max_batch_rows: Positive = 100_000

    # --- outbound fetches (verifying foreign badges) ---------------------------------------
    fetch_allow: CommaList = ()
    did_web_http_hosts: CommaList = ()
    fetch_timeout_s: Seconds = 5.0
    fetch_max_bytes: Positive = 2 * 1024 * 1024
    fetch_max_redirects: Annotated[int, Field(ge=0)] = 5
    fetch_cache_entries: Positive = 1000
    fetch_cache_bytes: Positive = 16 * 1024 * 1024
    fetch_cache_max_ttl_s: Seconds = 300.0

    # --- verification ----------------------------------------------------------------------
    verify_slots: Positive = 16
    verify_request_budget_s: Seconds = 15.0
    verify_batch_budget_s: Seconds = 60.0
    # A batch's JSON-LD work, shared by its items in order, in single documents' budgets (a
    # document may cost up to a million steps, about half a second of CPU); items after it
    # is spent are answered at once as not checked (indeterminate). A lone item keeps one.
    verify_batch_work: Positive = 5
    verify_batch_max_items: Positive = 100
    verify_batch_max_items_with_key: Positive = 1000

    verify_slots_per_client: Positive = 2
    verify_fetch_seconds_per_minute: Seconds = 60.0

    # --- requests and rate limits (0 turns a rate limit off) -------------------------------
    max_json_bytes: Positive = 1024 * 1024
    verify_rate_per_minute: Annotated[int, Field(ge=0)] = 120
    key_rate_per_minute: Annotated[int, Field(ge=0)] = 1200
    trusted_proxies: CommaList = ()
    redis_url: str = ""

    # --- staff console and statistics ------------------------------------------------------
    # How long a console sign-in lasts; the staff signs in again afterwards.
    console_session_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 480
    # Months of statistics are counted in this IANA time zone unless a request names another.
    statistics_time_zone: str = "Asia/Tokyo"

    # --- wallets ---------------------------------------------------------------------------
    # How long a wallet delivery offer made by the claim page may be used (once).
    wallet_offer_minutes: Annotated[int, Field(ge=1, le=60)] = 10
    # OpenID4VCI: whether a wallet must also enter the transaction code the claim page shows.
    oid4vci_tx_code: bool = True

    # --- background work -------------------------------------------------------------------
    # Where background jobs (batch issuing, periodic tasks) run: ``auto`` is the server itself
    # on SQLite and `shomei worker` processes on PostgreSQL; ``server`` runs them in the server
    # on either database; ``workers`` leaves them to `shomei worker` (PostgreSQL only).
    jobs_run_in: Literal["auto", "server", "workers"] = "auto"
    # Rows one batch job signs and commits in one transaction.
    batch_chunk_rows: Annotated[int, Field(ge=1, le=2000)] = 250

    # --- caches ----------------------------------------------------------------------------
    document_cache_entries: Positive = 4096
    # How long another process may serve this service's own DID documents and status lists
    # after they changed (a change through this process, or any with SHOMEI_REDIS_URL, shows
    # at once); 0 turns it off.
    published_cache_ttl: float = Field(default=5.0, ge=0, le=60)

    # --- mail to passers -------------------------------------------------------------------
    # Empty: every mail is written as an .eml file under mail_outbox_dir instead of sent.
    smtp_url: SecretStr = SecretStr("")
    mail_from: str = "noreply@localhost"
    mail_outbox_dir: Path = VAR / "outbox"
    mail_per_minute: Positive = 300
    mail_retry_base_s: Seconds = 60.0
    mail_max_age_h: Seconds = 72.0
    mail_lease_s: Seconds = 300.0
    mail_paused: bool = False
    smtp_timeout_s: Seconds = 30.0
    dkim_key_file: Path | None = None
    dkim_selector: str = ""
    dkim_domain: str = ""
    claim_token_days: Positive = 180
    # Days after issuing when an unclaimed badge's passer is reminded, once each.
    claim_reminder_days: Annotated[tuple[int, ...], NoDecode] = (7, 30)
    # The lost-link form: asks per client address a minute, and per e-mail address an hour.
    claim_lost_rate_per_minute: Annotated[int, Field(ge=0)] = 5
    claim_lost_per_email_per_hour: Annotated[int, Field(ge=0)] = 3
    # The Open Badges API's terms of service and privacy policy, which its discovery document
    # must name (https://www.imsglobal.org/spec/ob/v3p0/#openapiinfo); empty: the home page.
    ob_api_terms_url: Annotated[str, Field(max_length=2000)] = ""
    ob_api_privacy_url: Annotated[str, Field(max_length=2000)] = ""

    # --- webhooks to HR systems (docs/WEBHOOKS.md) -----------------------------------------
    # One attempt's whole time: connect, sending, the receiver's answer.
    webhook_timeout_s: Annotated[float, Field(gt=0, le=60)] = 10.0
    # The wait after the first failed attempt; it doubles after each (up to 6 hours).
    webhook_retry_base_s: Seconds = 30.0
    # How long an event is retried before it is given up (and recorded as failed).
    webhook_max_age_h: Seconds = 24.0
    webhooks_paused: bool = False

    _lists = field_validator("fetch_allow", "did_web_http_hosts", "trusted_proxies", mode="before")(
        _comma_list
    )

    @field_validator("claim_reminder_days", mode="before")
    @classmethod
    def _reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(int(part) for part in value.split(",") if part.strip())
        if isinstance(value, (tuple, list)):
            days = tuple(value)
            if any(not isinstance(d, int) or d < 1 for d in days) or list(days) != sorted(
                set(days)
            ):
                raise ValueError("SHOMEI_CLAIM_REMINDER_DAYS must be increasing whole days ≥ 1")
            return days
        return value

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SHOMEI_BASE_URL must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("did_web_http_hosts")
    @classmethod
    def _lower_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(host.lower() for host in value)

    @field_validator("fetch_allow")
    @classmethod
    def _allow_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from app.fetching import parse_allow_list

        return parse_allow_list(",".join(value))

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

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError names it
        return value

    @field_validator("statistics_time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        from app.validation import is_time_zone

        if not is_time_zone(value):
            raise ValueError(f"SHOMEI_STATISTICS_TIME_ZONE: no time zone {value!r}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "redis+unix://")):
            raise ValueError("SHOMEI_REDIS_URL must be a redis:// or rediss:// URL")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: SecretStr) -> SecretStr:
        from app.mail.transport import parse_smtp_url

        if value.get_secret_value():
            parse_smtp_url(value.get_secret_value())  # ValueError says what is wrong
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        local, at, domain = value.partition("@")
        if not (local and at and domain) or any(c in value for c in " <>\r\n\t,;"):
            raise ValueError("SHOMEI_MAIL_FROM must be a bare address such as badges@example.jp")
        return value

    @model_validator(mode="after")
    def _dkim_complete(self) -> Settings:
        if self.dkim_key_file is not None and not self.dkim_selector:
            raise ValueError("SHOMEI_DKIM_SELECTOR must be set with SHOMEI_DKIM_KEY_FILE")
        return self

    @property
    def mail_domain(self) -> str:
        """The domain DKIM signs for: SHOMEI_DKIM_DOMAIN, else that of SHOMEI_MAIL_FROM."""
        return self.dkim_domain or self.mail_from.rpartition("@")[2]

    @property
    def jobs_in_server(self) -> bool:
        """Whether this server runs background jobs itself (always on SQLite)."""
        if not self.database_url.startswith("postgresql"):
            return True
        return self.jobs_run_in == "server"

    @property
    def host(self) -> str:
        """The base URL's host, with ``:port`` when it has one."""
        return urlsplit(self.base_url).netloc

    @property
    def http_did_web_hosts(self) -> frozenset[str]:
        return frozenset(self.did_web_http_hosts)


class KeylessSettings(Settings):
    """The settings of a command that never opens an issuer's key (``verify``, ``apikey``).

    Everything else is read and checked as for the server; only the passphrase may be absent.
    """

    @model_validator(mode="after")
    def _real_secrets_outside_development(self) -> KeylessSettings:
        return self


def load_settings(*, keys: bool = True, **overrides: Any) -> Settings:
    """The settings every command and the server use: the environment, then ``./var``.

    Without ``SHOMEI_KEY_PASSPHRASE``, on the database ``shomei serve --demo`` (``make run``)
    made in ``./var``, the development passphrase kept beside it is used (and marks the run as
    development): a command run beside ``make run`` reads what that server reads. With
    ``keys=False`` the passphrase may be absent altogether.

    Raises:
        SettingsError: a setting is missing or invalid (one line, naming the variable).
    """
    kind = Settings if keys else KeylessSettings
    try:
        return kind(**overrides)
    except ValidationError as error:
        passphrase_missing = any(
            "SHOMEI_KEY_PASSPHRASE" in str(e.get("msg", "")) for e in error.errors()
        )
        demo_database = _demo_database(overrides)
        if (
            passphrase_missing
            and demo_database
            and DEVELOPMENT_PASSPHRASE_FILE.is_file()
            and not development_set_explicitly()  # an explicit SHOMEI_DEVELOPMENT=false stands
        ):
            development = {
                "key_passphrase": SecretStr(DEVELOPMENT_PASSPHRASE_FILE.read_text().strip()),
                "development": True,
            }
            try:
                return kind(**(overrides | development))
            except ValidationError as again:
                error = again
        raise SettingsError(_one_line(error)) from None


def beside_demo(settings: Settings) -> bool:
    """Whether ``settings`` name the database of ``shomei serve --demo`` (``make run``) in
    ``./var``, whose development passphrase lies beside it."""
    return (
        settings.database_url == Settings.model_fields["database_url"].default
        and DEVELOPMENT_PASSPHRASE_FILE.is_file()
    )


def development_set_explicitly() -> bool:
    """Whether SHOMEI_DEVELOPMENT is given (environment or ``.env``), whatever its value."""
    return _DevelopmentOnly().development is not None


def _demo_database(overrides: dict[str, Any]) -> bool:
    # Settings failed to validate, so read the one field again on its own.
    url = overrides.get("database_url") or _DatabaseOnly().database_url
    return bool(url == Settings.model_fields["database_url"].default)


class _DatabaseOnly(BaseSettings):
    model_config = Settings.model_config

    database_url: str = Settings.model_fields["database_url"].default


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    location = [str(part) for part in first.get("loc", ())]
    if location:
        variable = "SHOMEI_" + location[0].upper()
        if variable not in message:
            message = f"{variable}: {message}"
    more = len(error.errors()) - 1
    return message + (f" (and {more} more)" if more else "")


@cache
def get_settings() -> Settings:
    """The process settings, read once on first use (never at import time)."""
    return load_settings()


class _DevelopmentOnly(BaseSettings):
    model_config = Settings.model_config

    development: bool | None = None
