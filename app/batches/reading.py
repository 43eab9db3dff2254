"""Reading a batch's rows from a CSV file or from a JSON array, before any row is checked.

What makes the whole file unusable is a 4xx here, and nothing is stored: bytes that are
neither UTF-8 nor CP932, a broken quote (naming its line), a header without a required
column, more rows than ``SHOMEI_MAX_BATCH_ROWS`` (413). What is wrong with one row is left
to the check, which reports it on that row.

Row numbers are those a spreadsheet shows: the header is row 1, so the first passer of a
CSV file is row 2 (blank lines count, as they do in the spreadsheet, but are not rows of the
batch). In a JSON array the first row is row 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app import spreadsheets
from app.batches.checking import RawRow
from app.batches.columns import COLUMNS, Column, HeaderError, read_header
from app.errors import PayloadTooLargeError, UnprocessableError

__all__ = ["Source", "read_csv", "read_json_rows"]

_KNOWN: frozenset[str] = frozenset(column for column, _ in COLUMNS)


@dataclass(frozen=True)
class Source:
    """The rows of one upload, and what the service learnt reading them."""

    rows: list[RawRow]
    encoding: str  # "utf-8", "utf-8-sig", "cp932" or "json"
    filename: str | None = None
    ignored_columns: tuple[str, ...] = ()


def _too_many(max_rows: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"a batch holds at most {max_rows:,} rows")


def read_csv(data: bytes, *, max_rows: int, filename: str | None = None) -> Source:
    """The rows of a CSV file.

    Raises:
        UnprocessableError: not UTF-8 or CP932 text, not readable CSV, a header without a
            required column, or no rows at all.
        PayloadTooLargeError: more than ``max_rows`` rows.
    """
    try:
        decoded = spreadsheets.decode(data)
        table = spreadsheets.read_table(decoded.text)
        layout = read_header(table.header)
    except (spreadsheets.CsvError, HeaderError) as error:
        raise UnprocessableError(f"the file cannot be read: {error}") from None
    positions = list(layout.positions.items())
    width = len(table.header)
    rows: list[RawRow] = []
    try:
        for index, (_, record) in enumerate(table.records, start=2):
            if not "".join(record).strip():
                continue  # a blank line, or one of empty cells as spreadsheets leave them
            if len(rows) == max_rows:
                raise _too_many(max_rows)
            if len(record) >= width:
                cells: dict[Column, Any] = {column: record[at] for column, at in positions}
            else:
                cells = {column: record[at] for column, at in positions if at < len(record)}
            extra = len(record) > width and bool("".join(record[width:]).strip())
            rows.append(RawRow(index, cells, extra_cells=extra))
    except spreadsheets.CsvError as error:
        raise UnprocessableError(f"the file cannot be read: {error}") from None
    if not rows:
        raise UnprocessableError("the file has a header line but no rows")
    return Source(rows, decoded.encoding, filename, tuple(layout.ignored))


def read_json_rows(items: Sequence[Mapping[str, Any]], *, max_rows: int) -> Source:
    """The rows of a JSON body's ``rows`` array (each an object of column names).

    Raises:
        PayloadTooLargeError: more than ``max_rows`` rows.
    """
    if len(items) > max_rows:
        raise _too_many(max_rows)
    rows = [
        RawRow(
            number,
            {key: value for key, value in item.items() if key in _KNOWN},  # type: ignore[misc]
            unknown_fields=tuple(key for key in item if key not in _KNOWN),
        )
        for number, item in enumerate(items, start=1)
    ]
    return Source(rows, "json")
