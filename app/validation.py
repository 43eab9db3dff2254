"""Checks at the boundary: text the service signs, text it stores, and timestamps.

The same request must get the same answer on SQLite and PostgreSQL. PostgreSQL refuses what
SQLite stores (a NUL character, a string longer than its ``VARCHAR``) and neither can hold a
timestamp outside years 1 to 9999 once it is moved to UTC; so such input is refused here,
as a 4xx, before it reaches either database.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, WithJsonSchema

# C0 controls except TAB, LF and CR; DEL; lone surrogates. Their canonical N-Quads escaping
# differs between implementations (RDFC-1.0 vs URDNA2015), so signed text must not hold them.
NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A pattern for free text compared with a stored string: no controls (PostgreSQL refuses NUL).
NO_CONTROLS = r"^[^\x00-\x1f\x7f]*$"
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def is_time_zone(value: str) -> bool:
    """Whether ``value`` names a time zone of the IANA database this machine has."""
    try:
        ZoneInfo(value)
    except (KeyError, ValueError, OSError):  # OSError: a name the file system refuses to open
        return False
    return True


def plain_text(value: str) -> str:
    """``value``, unless it holds a character that would canonicalize differently."""
    match = NOT_ALLOWED.search(value)
    if match:
        raise ValueError(f"contains the control character U+{ord(match.group()):04X}")
    return value


# Text stored as given (names, references, reasons): no controls, as in signed text.
StoredText = Annotated[str, AfterValidator(plain_text)]


def raw_plain_text(value: Any) -> Any:
    """:func:`plain_text` on the text as sent, before a URL type parses it (a URL parser
    percent-encodes some controls and silently strips others, such as a trailing NUL)."""
    return plain_text(value) if isinstance(value, str) else value


# Put on a URL type: refuses the controls in the text as sent.
NoControls = BeforeValidator(raw_plain_text)


def _date_time_text(value: Any) -> Any:
    # pydantic reads a number (or a numeric string, as every query parameter is) as Unix
    # time; the contract says RFC 3339 date-time, so "0.5" is refused rather than read as
    # half a second after 1970.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be an RFC 3339 date-time, such as 2026-12-01T09:00:00+09:00")
    return value


def _in_utc_range(value: datetime) -> datetime:
    # Stored and compared in UTC: 0001-01-01T00:00:00+14:00 is in year 0 there.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must fall between the years 1 and 9999 in UTC") from None
    return value


# An RFC 3339 date-time with a zone (https://www.rfc-editor.org/rfc/rfc3339#section-5.6)
# that is also a date in UTC.
Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_date_time_text),
    AfterValidator(_in_utc_range),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
