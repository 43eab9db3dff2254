"""Logging: plain lines for a terminal or JSON lines for a collector, each with a request id.

``shomei serve`` hands :func:`logging_config` to uvicorn, which applies it in every worker
process. The request id (and the API key, once known) travel in a context variable that the
access middleware sets for each request; a filter copies them onto every record, so any line
logged while a request is served names it. Nothing logged here carries a recipient's address
or a secret: log ids and hashes.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.settings import Settings

__all__ = [
    "RequestContext",
    "current_context",
    "logging_config",
    "new_request_id",
    "sane_request_id",
    "set_request_context",
]


@dataclass
class RequestContext:
    """What every log line and problem document of one request may name.

    Mutable on purpose: the middleware sets one per request, and what is learnt later (the
    API key) is written into that same object, which code run in the thread pool (a copied
    context) still shares.
    """

    request_id: str | None = None
    api_key_id: str | None = None
    base_url: str | None = None


_context: ContextVar[RequestContext | None] = ContextVar("shomei_request", default=None)

# An incoming X-Request-ID is kept when it is short and plain (a proxy's or a client's
# correlation id); anything else could forge or garble log lines, so a fresh one is made.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")


def current_context() -> RequestContext:
    """The current request's context (an empty one outside a request)."""
    return _context.get() or RequestContext()


def set_request_context(*, api_key_id: str | None) -> None:
    """Record the caller's API key in the current request's context."""
    context = _context.get()
    if context is not None:
        context.api_key_id = api_key_id


def start_request_context(context: RequestContext) -> None:
    _context.set(context)


def new_request_id() -> str:
    return secrets.token_hex(16)


def sane_request_id(value: str | None) -> str | None:
    """``value`` when it is a usable request id, else ``None``."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return None


class RequestContextFilter(logging.Filter):
    """Puts ``request_id`` and ``api_key_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_context()
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id or "-"
        if not hasattr(record, "api_key_id"):
            record.api_key_id = context.api_key_id
        return True


# Attributes every LogRecord has; anything else was passed in ``extra`` and is logged too.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``2026-12-07T05:40:00.123Z INFO shomei.access [request id] message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def logging_config(settings: Settings) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for the service and uvicorn, per the settings.

    uvicorn's own access log is replaced by ``shomei.access`` (written by the middleware),
    which carries the request id and never prints a query string's values verbatim.
    """
    formatter = "json" if settings.log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContextFilter}},
        "formatters": {
            "plain": {"()": PlainFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": formatter,
                "filters": ["context"],
            }
        },
        "loggers": {
            "shomei": {"level": settings.log_level},
            "uvicorn": {"level": settings.log_level},
            "uvicorn.error": {"level": settings.log_level},
            "uvicorn.access": {"level": "WARNING", "propagate": False, "handlers": []},
        },
        "root": {"level": "WARNING", "handlers": ["default"]},
    }
