"""The columns of a batch file: their names in English and Japanese, and reading a header.

A header cell is matched after NFKC normalisation (full-width letters and brackets become
ASCII), lower-casing, and dropping spaces, underscores and hyphens, so ``External ID``,
``external_id`` and its full-width spelling are one column, as are ``氏名（英字）`` and
``氏名(英字)``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["COLUMNS", "REQUIRED", "Column", "HeaderError", "Layout", "read_header"]

Column = Literal[
    "external_id",
    "email",
    "name",
    "name_en",
    "language",
    "valid_until",
    "result",
    "evidence_url",
    "narrative",
    "prefecture",
]

# In template order; the Japanese header is the one the Japanese template writes.
COLUMNS: Final[tuple[tuple[Column, str], ...]] = (
    ("external_id", "受験番号"),
    ("email", "メールアドレス"),
    ("name", "氏名"),
    ("name_en", "氏名（英字）"),
    ("language", "言語"),
    ("valid_until", "有効期限"),
    ("result", "結果"),
    ("evidence_url", "エビデンスURL"),
    ("narrative", "備考"),
    ("prefecture", "都道府県"),
)
REQUIRED: Final[tuple[Column, ...]] = ("external_id", "email", "name")

_ALIASES: Final[dict[Column, tuple[str, ...]]] = {
    "external_id": (
        "受験番号",
        "受験者番号",
        "受検番号",
        "受講番号",
        "examinee number",
        "examinee id",
        "candidate number",
    ),
    "email": ("メールアドレス", "メール", "eメール", "eメールアドレス", "e-mail", "mail"),
    "name": ("氏名", "名前", "受験者名", "受験者氏名", "full name"),
    "name_en": (
        "氏名(英字)",
        "氏名(ローマ字)",
        "ローマ字",
        "ローマ字氏名",
        "英字氏名",
        "英語氏名",
        "name (english)",
        "english name",
    ),
    "language": ("言語", "使用言語", "lang"),
    "valid_until": ("有効期限", "有効期限日", "expires", "expiry"),
    "result": ("結果", "成績", "得点", "点数", "スコア", "score", "grade"),
    "evidence_url": ("エビデンスurl", "エビデンス", "evidence"),
    "narrative": ("備考", "所見", "コメント", "comment", "notes"),
    "prefecture": ("都道府県", "都道府県コード", "都道府県名", "居住都道府県", "prefecture code"),
}
_DROPPED = re.compile(r"[\s_\-]+")


def _key(text: str) -> str:
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).strip().lower())


def _lookup() -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column, _ in COLUMNS:
        for name in (column, *_ALIASES[column]):
            table[_key(name)] = column
    return table


_LOOKUP: Final = _lookup()


class HeaderError(ValueError):
    """The header line cannot be used (a required column missing, one named twice)."""


@dataclass(frozen=True)
class Layout:
    """Where each known column is in a record, and the header cells that were not known."""

    positions: dict[Column, int]
    ignored: list[str]


def read_header(header: list[str]) -> Layout:
    """Map header cells to columns.

    Raises:
        HeaderError: a required column is missing, or two cells name the same column.
    """
    positions: dict[Column, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        if not cell.strip():
            continue
        column = _LOOKUP.get(_key(cell))
        if column is None:
            ignored.append(cell.strip()[:100])
            continue
        if column in positions:
            raise HeaderError(
                f"columns {positions[column] + 1} and {index + 1} both name {column!r}"
            )
        positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        names = ", ".join(f"{c} ({dict(COLUMNS)[c]})" for c in missing)
        raise HeaderError(f"the header line has no column {names}")
    return Layout(positions, ignored)
