"""CSV as spreadsheets write it and read it: the one place the service reads or writes CSV.

Reading: Japanese Excel saves "CSV" in CP932 (Microsoft's Shift_JIS), "CSV UTF-8" with a
byte order mark, and other tools UTF-8 without one. The bytes are tried as UTF-8 first,
strictly, then as CP932, strictly: UTF-8 text is almost never valid CP932 by accident and
the other way round, and anything that is neither is refused with the line that is not.
Records are read with the csv module in strict mode, so a quote that is never closed is an
error naming the line it opened on, not a silently swallowed rest of the file.

Writing: every cell that a spreadsheet would run as a formula (one starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written behind a ``'``, as OWASP
recommends (https://owasp.org/www-community/attacks/CSV_Injection), and files for people get
a byte order mark, without which Excel reads UTF-8 as CP932.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BOM",
    "CsvError",
    "Decoded",
    "Table",
    "decode",
    "neutralise",
    "read_table",
    "write_rows",
]

BOM: Final = "\ufeff"
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_CP932_STRAYS: Final = re.compile("[\x80\uf8f0-\uf8f3]")


class CsvError(ValueError):
    """The bytes are not a CSV file we can read; the message names the line, in English."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig" or "cp932"


def decode(data: bytes) -> Decoded:
    """The text of a CSV file in UTF-8 (with or without a BOM) or CP932.

    Raises:
        CsvError: another encoding (UTF-16, a workbook, binary data).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvError("the file is UTF-16 text: save it as CSV UTF-8 or as CSV (Shift_JIS)")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvError("the file is an Excel workbook, not CSV: save it as CSV first")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise _not_text(data, error, "UTF-8") from None
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _cp932(data), "cp932"
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvError("the file holds binary data (a NUL byte), not CSV text", line=line)
    return Decoded(text, encoding)


def _cp932(data: bytes) -> str:
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        raise _not_text(data, error, "UTF-8 or Shift_JIS (CP932)") from None
    stray = _CP932_STRAYS.search(text)
    if stray is not None:
        # Python's CP932 maps single bytes 0x80, 0xA0 and 0xFD-0xFF, which no Japanese text
        # holds: such a file is in some other encoding.
        line = text.count("\n", 0, stray.start()) + 1
        raise CsvError(
            f"line {line} is not UTF-8 or Shift_JIS (CP932) text: save the file as CSV UTF-8 "
            "or CSV (Shift_JIS)",
            line=line,
        )
    return text


def _not_text(data: bytes, error: UnicodeDecodeError, expected: str) -> CsvError:
    line = data.count(b"\n", 0, error.start) + 1
    return CsvError(
        f"line {line} is not {expected} text: save the file as CSV UTF-8 or CSV (Shift_JIS)",
        line=line,
    )


@dataclass(frozen=True)
class Table:
    """A CSV file's header and records; each record with the line it starts on."""

    header: list[str]
    records: Iterator[tuple[int, list[str]]]


def read_table(text: str) -> Table:
    """Split ``text`` into a header and records, lazily.

    Iterating ``records`` raises :class:`CsvError` at a broken record (a quote never
    closed, text after a closing quote), naming the line the record starts on.

    Raises:
        CsvError: the file is empty (no header line).
    """
    # The csv module's own cap on a cell (128 KiB) stays: far above any cell we accept.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("the file is empty: the first line must name the columns") from None
    except csv.Error as error:
        raise CsvError(f"line 1 cannot be read as CSV: {error}", line=1) from None

    def records() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise CsvError(
                    f"the record starting on line {start} cannot be read as CSV ({error}): "
                    "look for a double quote that is not closed or is followed by more text",
                    line=start,
                ) from None
            yield start, record
            start = reader.line_num + 1

    return Table(header, records())


def neutralise(value: object) -> str:
    """A cell's text, behind a ``'`` if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_rows(
    rows: Iterable[Iterable[object]], *, bom: bool = True, chunk_bytes: int = 64 * 1024
) -> Iterator[str]:
    """CSV text in chunks (for a streaming response), every cell neutralised.

    ``bom`` starts the text with a byte order mark, so Excel reads the UTF-8 as UTF-8.
    Lines end with CRLF (RFC 4180 section 2).
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        if buffer.tell() > chunk_bytes:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
