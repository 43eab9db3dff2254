"""The progress line of `shomei batch status`: a bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from typing import Any

from app.batches.schemas import BatchCounts, BatchRead
from app.batches.watching import follow, line


def _batch(state: str, issued: int, pending: int, **pace: Any) -> BatchRead:
    return BatchRead(
        id=uuid.uuid4(),
        issuer="ai-exam",
        achievement_id=uuid.uuid4(),
        format="ob3",
        label="2026#6",
        exam_date=None,
        on_duplicate="skip",
        notify=False,
        state=state,  # type: ignore[arg-type]
        counts=BatchCounts(
            total=102,
            ok=100,
            warning=0,
            error=2,
            pending=pending,
            issued=issued,
            skipped=2,
            failed=0,
        ),
        created_at=datetime.now(UTC),
        started_at=datetime.now(UTC),
        finished_at=None,
        created_by_key_id=None,
        source_filename=None,
        source_encoding=None,
        rows_per_second=pace.get("rate"),
        eta_seconds=pace.get("eta"),
        rows_url="",
        report_url="",
        results_url="",
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_counts_only_rows_that_may_be_issued() -> None:
    text = line(_batch("running", 50, 50, rate=480.0, eta=0.1), bar=True)
    assert text.startswith("[" + "#" * 15 + "." * 15 + "] running  50/100")
    assert "480 rows/s" in text and "0 s left" in text


def test_a_log_gets_a_plain_line_per_change_and_a_terminal_one_line() -> None:
    states = iter([_batch("running", 10, 90), _batch("running", 10, 90), _batch("done", 100, 0)])
    log = io.StringIO()
    final = follow(lambda: next(states), log, sleep=lambda s: None)
    assert final.state == "done"
    assert log.getvalue().splitlines() == [
        "running  10/100  issued 10  skipped 2  failed 0",
        "done  100/100  issued 100  skipped 2  failed 0",
    ]
    states = iter([_batch("running", 10, 90), _batch("done", 100, 0)])
    terminal = _Terminal()
    follow(lambda: next(states), terminal, sleep=lambda s: None)
    assert terminal.getvalue().count("\n") == 1
    assert terminal.getvalue().count("\r") == 2
