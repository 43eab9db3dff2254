"""Make SQLite refuse what PostgreSQL refuses, so a request gets one answer on both.

PostgreSQL rejects a NUL character in any text parameter and a string longer than its
``VARCHAR(n)`` column, where SQLite stores both; unguarded, the same request is a 201 on one
and a 500 on the other. Request models refuse such input with a clear 422 first; these
guards are the net under them, for every statement and every row, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import Engine, Table, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from app.errors import UnprocessableError


class UnstorableValueError(UnprocessableError):
    """A value no supported database can store as given."""


def install_storage_guards(engine: Engine, sessions: sessionmaker[Session] | None = None) -> None:
    """Refuse NUL characters in every statement on ``engine``, overlong strings on flush."""
    if not event.contains(engine, "before_cursor_execute", _refuse_nul):
        event.listen(engine, "before_cursor_execute", _refuse_nul)
    if sessions is not None and not event.contains(sessions, "before_flush", _refuse_overlong):
        event.listen(sessions, "before_flush", _refuse_overlong)


def _refuse_nul(
    conn: Any,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    rows: Iterable[Any] = parameters if executemany else (parameters,)
    for row in rows:
        if isinstance(row, Mapping):
            values: Iterable[Any] = row.values()
        elif isinstance(row, list | tuple):
            values = row
        else:  # a multi-row INSERT (insertmanyvalues) passes one flat sequence of values
            values = (row,)
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                raise UnstorableValueError("text may not contain the NUL character (U+0000)")


def _refuse_overlong(session: Session, flush_context: Any, instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        state = inspect(row)
        for attribute in state.mapper.column_attrs:
            length = getattr(attribute.columns[0].type, "length", None)
            value = state.dict.get(attribute.key)  # loaded values only: never loads a column
            if length and isinstance(value, str) and len(value) > length:
                raise UnstorableValueError(
                    f"{attribute.key} must be at most {length} characters, not {len(value)}"
                )


def refuse_overlong_values(table: Table, values: Mapping[str, Any]) -> None:
    """The flush guard for a row written without the ORM (a Core ``INSERT`` of ``values``)."""
    for name, length in _lengths(table).items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > length:
            raise UnstorableValueError(
                f"{name} must be at most {length} characters, not {len(value)}"
            )


@cache
def _lengths(table: Table) -> dict[str, int]:
    """``table``'s bounded string columns and their lengths, read once (issuing runs the
    guard on every credential)."""
    return {
        column.key: length
        for column in table.c
        if isinstance(length := getattr(column.type, "length", None), int) and length
    }
