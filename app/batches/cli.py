"""``shomei batch``: check a session's CSV file and store it as a preview; follow a batch.

The commands work on the database directly, through the same service functions as the API,
acting for every issuer as the server's operator may (audited as ``command_line``).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from app.errors import PayloadTooLargeError
from app.settings import load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.batches.checking import CheckedRow
    from app.batches.models import Batch

__all__ = ["register"]

Database = Callable[[], AbstractContextManager["Session"]]

# States in which a batch's counts still move.
_MOVING: Final = ("queued", "running")
_BAR: Final = 30


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _read_file(path: Path, limit: int) -> bytes:
    from app.middleware.body import megabytes

    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(f"{path} is larger than {megabytes(limit)}")
    return data


def _print_report(rows: list[CheckedRow], lang: str, out: TextIO) -> None:
    message = "message_ja" if lang == "ja" else "message_en"
    for row in rows:
        for problem in row.problems:
            column = f"{problem['column']}: " if problem["column"] else ""
            print(f"row {row.number:>6}  {row.check:<7}  {column}{problem[message]}", file=out)


def _create(args: argparse.Namespace, database: Database) -> int:
    from app.batches import service
    from app.batches.reading import read_csv

    settings = load_settings(keys=False)
    path = Path(args.file)
    source = read_csv(
        _read_file(path, settings.max_batch_bytes),
        max_rows=settings.max_batch_rows,
        filename=path.name[:255],
    )
    options = service.BatchOptions(
        achievement_id=args.achievement,
        format=args.format,
        label=args.label,
        exam_date=args.exam_date,
        on_duplicate=args.on_duplicate,
        notify=args.notify,
    )
    now = datetime.now(UTC)
    with database() as session:
        if args.dry_run:
            checked = service.check(session, None, options, source, now)
            batch_id = None
        else:
            batch, checked = service.create_batch(session, None, options, source, now)
            batch_id = batch.id
    tally = checked.tally()
    _print_report(checked.report(), args.lang, sys.stdout)
    if source.ignored_columns:
        print(f"columns not read: {', '.join(source.ignored_columns)}", file=sys.stdout)
    print(
        f"rows {tally['total']}  ok {tally['ok']}  warnings {tally['warning']}  "
        f"errors {tally['error']}  ({source.encoding})"
    )
    if batch_id is None:
        print("dry run: nothing was stored", file=sys.stderr)
        return 1 if tally["error"] else 0
    print(batch_id)
    print(f"stored as a preview: shomei batch status {batch_id}", file=sys.stderr)
    return 0


def _line(batch: Batch, counts: dict[str, int], done: int, todo: int, tty: bool) -> str:
    from app.batches import runs

    pace = runs.pace(batch, counts, datetime.now(UTC))
    rate = f"{pace.rows_per_second:.0f} rows/s" if pace.rows_per_second is not None else ""
    left = f"{pace.eta_seconds:.0f} s left" if pace.eta_seconds is not None else ""
    figures = "  ".join(
        part
        for part in (
            f"issued {counts['issued']}  skipped {counts['skipped']}  failed {counts['failed']}  "
            f"pending {counts['pending']}",
            rate,
            left,
        )
        if part
    )
    if not tty:
        return (
            f"{batch.id} {batch.state} total={counts['total']} ok={counts['ok']} "
            f"warning={counts['warning']} error={counts['error']} issued={counts['issued']} "
            f"skipped={counts['skipped']} failed={counts['failed']} pending={counts['pending']}"
            + (f" rows_per_s={pace.rows_per_second}" if pace.rows_per_second is not None else "")
            + (f" eta_s={pace.eta_seconds}" if pace.eta_seconds is not None else "")
        )
    share = done / todo if todo else 1.0
    filled = round(share * _BAR)
    bar = "#" * filled + "-" * (_BAR - filled)
    return f"[{bar}] {share:6.1%}  {done}/{todo}  {batch.state:<9}  {figures}"


def _status(args: argparse.Namespace, database: Database) -> int:
    from app.batches import service

    tty = sys.stdout.isatty()
    previous = ""
    with database() as session:
        while True:
            session.expire_all()
            batch = service.get_batch_for(session, None, args.id)
            counts = service.counts(batch, service.counts_of(session, [batch.id])[batch.id])
            done, todo = service.progress(session, batch)
            line = _line(batch, counts, done, todo, tty)
            if tty and args.watch:
                sys.stdout.write(f"\r\x1b[2K{line}")
                sys.stdout.flush()
            elif line != previous:
                print(line, flush=True)
            previous = line
            if not args.watch or batch.state not in _MOVING:
                break
            session.rollback()  # end the read transaction: the next look sees new commits
            time.sleep(args.interval)
    if tty and args.watch:
        print()
    if not tty or args.watch:
        return 0
    print(
        f"rows {counts['total']}: ok {counts['ok']}, warnings {counts['warning']}, "
        f"errors {counts['error']}"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], db: Database) -> None:
    """Add ``batch create`` and ``batch status`` to the ``shomei`` command."""
    batch = commands.add_parser("batch", help="batches: an exam session's passers at once")
    batch_commands = batch.add_subparsers(dest="batch_command", required=True)

    create = batch_commands.add_parser(
        "create",
        help="check a CSV file and store it as a preview (nothing is issued yet)",
        description="Prints every row with a problem (errors first), the counts, and the "
        "new batch's id. With --dry-run nothing is stored, and the exit status is 1 when a "
        "row has an error.",
    )
    create.add_argument("file", metavar="FILE.csv")
    create.add_argument("--achievement", type=_uuid, required=True, metavar="ID")
    create.add_argument("--format", choices=("ob3", "ob3-jwt", "ob2"), default="ob3")
    create.add_argument("--label", help="the session, e.g. 2026#6")
    create.add_argument("--exam-date", type=_day, metavar="YYYY-MM-DD")
    create.add_argument(
        "--on-duplicate",
        choices=("skip", "reissue"),
        default="skip",
        help="examinees issued before: skip them, or re-issue the same credential",
    )
    create.add_argument(
        "--no-notify", dest="notify", action="store_false", help="send passers no e-mail"
    )
    create.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    create.add_argument("--lang", choices=("en", "ja"), default="en", help="of the messages")
    create.set_defaults(handler=lambda args: _create(args, db))

    status = batch_commands.add_parser(
        "status",
        help="a batch's counts (a progress bar on a terminal, plain lines otherwise)",
    )
    status.add_argument("id", type=_uuid, metavar="ID")
    status.add_argument(
        "--watch", action="store_true", help="follow the batch until it stops moving"
    )
    status.add_argument(
        "--interval", type=float, default=1.0, metavar="SECONDS", help="between looks (--watch)"
    )
    status.set_defaults(handler=lambda args: _status(args, db))
