"""Fetch settings, and what a fetch returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.fetching.addresses import _AllowRule

if TYPE_CHECKING:
    from app.settings import Settings


@dataclass(frozen=True)
class FetchConfig:
    """Limits and exceptions for outbound fetches.

    ``allow`` lists hosts, ``host:port`` pairs, IP addresses and CIDR ranges that may
    be fetched even though they are private (``parse_allow_list`` reads the
    ``SHOMEI_FETCH_ALLOW`` setting). ``timeout`` bounds a whole fetch, redirects and
    body included. Cache times are seconds.
    """

    allow: tuple[str, ...] = ()
    max_redirects: int = 5
    max_bytes: int = 2 * 1024 * 1024
    timeout: float = 5.0
    user_agent: str = "Shomei/0.1 (Open Badges verifier)"
    cache_entries: int = 1000
    cache_bytes: int = 16 * 1024 * 1024
    cache_default_ttl: float = 60.0
    cache_max_ttl: float = 300.0
    cache_negative_ttl: float = 10.0

    def __post_init__(self) -> None:
        if isinstance(self.allow, str):
            raise TypeError("allow is a tuple of entries; parse a setting with parse_allow_list")
        object.__setattr__(self, "allow", tuple(str(_AllowRule.parse(e)) for e in self.allow))
        if self.max_redirects < 0 or self.max_bytes <= 0 or self.timeout <= 0:
            raise ValueError("max_redirects must be >= 0; max_bytes and timeout must be > 0")


def fetch_config(settings: Settings) -> FetchConfig:
    """The fetch limits the operator set (the API and ``shomei verify`` share them)."""
    return FetchConfig(
        allow=settings.fetch_allow,
        max_redirects=settings.fetch_max_redirects,
        max_bytes=settings.fetch_max_bytes,
        timeout=settings.fetch_timeout_s,
        cache_entries=settings.fetch_cache_entries,
        cache_bytes=settings.fetch_cache_bytes,
        cache_max_ttl=settings.fetch_cache_max_ttl_s,
    )


def parse_allow_list(text: str) -> tuple[str, ...]:
    """Parse a comma-separated allow list (``"10.0.0.0/8, intranet.example:8443"``).

    Raises:
        ValueError: an entry is neither a host, a ``host:port``, an address nor a range.
    """
    return tuple(str(_AllowRule.parse(entry)) for entry in text.split(",") if entry.strip())


@dataclass(frozen=True)
class FetchedDocument:
    """A fetched response: ``url`` is where it was finally found, after redirects."""

    status: int
    url: str
    content_type: str
    body: bytes
    warnings: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-cased (``application/json``)."""
        return self.content_type.split(";", 1)[0].strip().lower()
