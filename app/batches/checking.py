"""Checking a batch's rows: every field as the single-credential API would take it, and
duplicates inside the file and against the credentials already issued for the achievement.

Each row gets a verdict: ``ok``, ``warning`` (it will be issued, but look: an examinee issued
before, an e-mail address used twice) or ``error`` (it will not be issued). A problem names
its column and a code, and says what is wrong in Japanese and in English, never quoting the
cell. Limits are those of the single-credential API (:mod:`app.credentials.schemas`), so a
row that passes here passes there.
"""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Final

import email_validator
from pydantic import HttpUrl, TypeAdapter, ValidationError
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import texts
from app.batches.columns import COLUMNS, REQUIRED, Column
from app.batches.prefectures import parse_prefecture
from app.credentials.models import IssuedCredential
from app.validation import NOT_ALLOWED

__all__ = [
    "LIMITS",
    "CheckedRow",
    "EmailChecker",
    "RawRow",
    "check_rows",
]

# The single-credential API's limits (app/credentials/schemas.py), column by column.
LIMITS: Final[dict[str, int]] = {
    "external_id": 200,
    "email": 254,
    "name": 200,
    "name_en": 200,
    "language": 2,
    "valid_until": 40,
    "result": 200,
    "evidence_url": 2000,
    "narrative": 5000,
    "prefecture": 40,
}
_COLUMN_JA: Final[dict[str, str]] = dict(COLUMNS)
_ALL_COLUMNS: Final[tuple[Column, ...]] = tuple(column for column, _ in COLUMNS)
# Problems are listed in the columns' order; those of the whole row (extra cells, unknown
# fields) first.
_ORDER: Final[dict[str, int]] = {column: at for at, column in enumerate(_ALL_COLUMNS)}
_FORMULA_CHECKED: Final = ("external_id", "name", "name_en", "result", "narrative")
_LANGUAGES: Final = {
    "ja": "ja",
    "en": "en",
    "日本語": "ja",
    "英語": "en",
    "japanese": "ja",
    "english": "en",
}
_DATE: Final = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
# A date means the end of that day in Japan, where the exams are held.
_JST: Final = timezone(timedelta(hours=9))
_URL: Final = TypeAdapter(HttpUrl)


@dataclass(frozen=True)
class RawRow:
    """A row as read: its number, its cells by column, and what else was wrong with it."""

    number: int
    cells: dict[Column, Any]
    extra_cells: bool = False
    unknown_fields: tuple[str, ...] = ()


@dataclass
class CheckedRow:
    number: int
    values: dict[str, Any]
    problems: list[dict[str, str]] = field(default_factory=list)
    check: str = "ok"
    duplicate_of: uuid.UUID | None = None

    def add(self, column: str, code: str, *, error: bool, **fill: object) -> None:
        ja, en = texts.BATCH_PROBLEMS[code]
        self.problems.append(
            {
                "column": column,
                "code": code,
                "message_ja": ja.format(column=_COLUMN_JA.get(column, column), **fill),
                "message_en": en.format(column=column, **fill),
            }
        )
        if error:
            self.check = "error"
        elif self.check == "ok":
            self.check = "warning"


class EmailChecker:
    """The e-mail address as the single-credential API's ``EmailStr`` normalises it.

    pydantic's ``validate_email`` (email-validator underneath) costs some 90 µs an address,
    most of it checking the domain; a session's addresses share a few domains. A plain ASCII
    address (dot-atom local part, LDH domain) is normalised exactly as email-validator does
    it, local part kept and domain lower-cased, with the domain itself checked by
    email-validator once and remembered; every other address goes through
    ``validate_email`` itself.
    """

    _PLAIN: Final = re.compile(
        r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
        r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
    )

    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}

    def normalise(self, value: str) -> str:
        """The normalised address.

        Raises:
            ValueError: it is not a valid address (the message says why, in English).
        """
        match = self._PLAIN.fullmatch(value)
        if match is not None:
            local, _, domain = value.rpartition("@")
            # IDNA reserves "xx--" labels (punycode among them): email-validator decides.
            if len(local) <= 64 and "--" not in domain:
                normalised = self._domain(domain)
                address = f"{local}@{normalised}" if normalised else None
                if address is not None and len(address) <= 254:
                    return address
        try:
            return validate_email(value)[1]
        except PydanticCustomError as error:
            reason = str(error).removeprefix("value is not a valid email address: ")
            raise ValueError(reason) from None

    def _domain(self, domain: str) -> str | None:
        key = domain.lower()
        if key not in self._domains:
            try:
                checked = email_validator.validate_email(f"a@{domain}", check_deliverability=False)
                self._domains[key] = checked.domain
            except email_validator.EmailNotValidError:
                self._domains[key] = None  # the full check says why
        return self._domains[key]


def _wrong_type(value: Any) -> bool:
    # A JSON row's value: text, or a number (an examinee number, a score); nothing else.
    return isinstance(value, bool) or not isinstance(value, str | int | float)


def _stored(text: str, limit: int) -> str:
    # What an error row keeps of a cell: cut to the column, with no character PostgreSQL
    # refuses. The row is never issued; staff see it in the report to correct the file.
    return NOT_ALLOWED.sub("\ufffd", text[:limit])


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


class _Checker:
    """Checks rows one by one, remembering what repeats down a session's file (its dates,
    prefectures and e-mail domains): a cell's verdict depends on the cell alone."""

    def __init__(self, *, format: str, now: datetime) -> None:
        self.format = format
        self.now = now
        self.emails = EmailChecker()
        self._dates: dict[str, datetime | None] = {}
        self._prefectures: dict[str, tuple[bool, int | None]] = {}

    def until(self, text: str) -> datetime | None:
        if text not in self._dates:
            day = _date(text)
            self._dates[text] = (
                None
                if day is None
                else datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=_JST).astimezone(UTC)
            )
        return self._dates[text]

    def prefecture(self, text: str) -> tuple[bool, int | None]:
        if text not in self._prefectures:
            self._prefectures[text] = parse_prefecture(text)
        return self._prefectures[text]

    def check(self, raw: RawRow) -> CheckedRow:
        row = CheckedRow(number=raw.number, values=dict.fromkeys(_ALL_COLUMNS))
        values = row.values
        if raw.extra_cells:
            row.add("", "extra_cells", error=True)
        for name in raw.unknown_fields:
            row.add(NOT_ALLOWED.sub("\ufffd", name[:100]), "unknown_field", error=True)
        for column, value in raw.cells.items():
            if value is None:
                continue
            if type(value) is not str:
                if _wrong_type(value):
                    row.add(column, "not_text", error=True)
                    continue
                value = str(value)
            text = value.strip()
            if text:
                self._cell(row, column, text)
        for column in REQUIRED:
            if values[column] is None and not any(p["column"] == column for p in row.problems):
                row.add(column, "required", error=True)
        if row.check == "error":
            for name, value in values.items():
                if type(value) is str:
                    values[name] = _stored(value, LIMITS[name])
        if len(row.problems) > 1:
            row.problems.sort(key=lambda problem: _ORDER.get(problem["column"], -1))
        return row

    def _cell(self, row: CheckedRow, column: Column, text: str) -> None:
        values = row.values
        values[column] = text
        if column == "email":
            if len(text) > LIMITS["email"]:
                row.add(column, "too_long", error=True, limit=LIMITS["email"])
                return
            try:
                values[column] = self.emails.normalise(text)
            except ValueError as error:
                # The reason may quote a character of the address, never the address.
                reason = NOT_ALLOWED.sub("\ufffd", str(error))
                row.add(column, "invalid_email", error=True, reason=reason)
        elif column == "language":
            language = _LANGUAGES.get(text.lower())
            if language is None:
                row.add(column, "invalid_language", error=True)
            values[column] = language
        elif column == "valid_until":
            until = self.until(text)
            values[column] = until
            if until is None:
                row.add(column, "invalid_date", error=True)
            elif until <= self.now:
                row.add(column, "date_past", error=True)
        elif column == "evidence_url":
            if len(text) > LIMITS[column]:
                row.add(column, "too_long", error=True, limit=LIMITS[column])
                return
            try:
                url = str(_URL.validate_python(text))
            except ValidationError:
                row.add(column, "invalid_url", error=True)
                return
            if len(url) > LIMITS[column]:  # normalising may lengthen it (percent-encoding)
                row.add(column, "too_long", error=True, limit=LIMITS[column])
                return
            values[column] = url
        elif column == "prefecture":
            known, code = self.prefecture(text[:40])
            if not known:
                row.add(column, "invalid_prefecture", error=True)
            values[column] = code
        elif len(text) > LIMITS[column]:
            row.add(column, "too_long", error=True, limit=LIMITS[column])
        elif NOT_ALLOWED.search(text):
            row.add(column, "control_character", error=True)
        elif column in _FORMULA_CHECKED and text[0] == "=":
            row.add(column, "formula", error=True)
        elif column == "result" and self.format == "ob2":
            row.add(column, "result_not_in_ob2", error=True)


def _mark_duplicates(
    session: Session, rows: list[CheckedRow], achievement_id: uuid.UUID, on_duplicate: str
) -> None:
    # (1) inside the file: the first row with an examinee number keeps it, later ones are
    # errors; the same address under two numbers is a warning.
    first_by_id: dict[str, int] = {}
    first_by_email: dict[str, tuple[int, str | None]] = {}
    for row in rows:
        external_id = row.values["external_id"]
        if external_id is not None:
            if external_id in first_by_id:
                row.add(
                    "external_id", "duplicate_in_file", error=True, row=first_by_id[external_id]
                )
            else:
                first_by_id[external_id] = row.number
        email = row.values["email"]
        if email is not None:
            key = email.lower()
            seen = first_by_email.get(key)
            if seen is None:
                first_by_email[key] = (row.number, external_id)
            elif seen[1] != external_id:
                row.add("email", "email_repeated_in_file", error=False, row=seen[0])
    # (2) against what was issued for the achievement before: one pass over its credentials
    # (an index on achievement_id), cheaper than many IN lists of a session's 7,000 numbers.
    issued: dict[str, uuid.UUID] = {}
    issued_emails: dict[str, set[str | None]] = {}
    for credential_id, external_id, address in session.execute(
        select(
            IssuedCredential.id,
            IssuedCredential.external_id,
            IssuedCredential.recipient_email_lower,
        )
        .where(IssuedCredential.achievement_id == achievement_id)
        .execution_options(yield_per=5000)
    ):
        if external_id is not None and external_id in first_by_id:
            issued[external_id] = credential_id
        if address in first_by_email:
            issued_emails.setdefault(address, set()).add(external_id)
    code = "already_issued_reissue" if on_duplicate == "reissue" else "already_issued_skip"
    for row in rows:
        external_id = row.values["external_id"]
        if external_id is not None and external_id in issued:
            row.duplicate_of = issued[external_id]
            row.add("external_id", code, error=False)
        email = row.values["email"]
        if email is not None and issued_emails.get(email.lower(), set()) - {external_id}:
            row.add("email", "email_already_issued", error=False)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Checking allocates some ten objects a row and no reference cycles; the cyclic
    # collector would walk the growing heap again and again (up to half the time of a
    # 7,000-row check on the development machine). Reference counting frees everything.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_rows(
    session: Session,
    raw_rows: Iterable[RawRow],
    *,
    achievement_id: uuid.UUID,
    format: str,
    on_duplicate: str,
    now: datetime,
) -> list[CheckedRow]:
    """Check every row (reading ``raw_rows`` to the end) and mark duplicates."""
    checker = _Checker(format=format, now=now)
    with _collector_paused():
        rows = [checker.check(raw) for raw in raw_rows]
    _mark_duplicates(session, rows, achievement_id, on_duplicate)
    return rows
