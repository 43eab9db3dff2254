"""A batch's progress on a terminal: one bar redrawn in place, or plain lines for a log.

``shomei batch status ID`` shows it once; with ``--follow`` (:func:`follow`) until the batch
stops. On a terminal the bar is redrawn on one line; otherwise (a pipe, a CI log) a plain line
is printed whenever the counts change, at most every ``interval`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from app.batches.schemas import BatchRead

_BAR: int = 30
_RUNNING = ("queued", "running")


def line(batch: BatchRead, *, bar: bool) -> str:
    """``[######........] 3,500/6,997  issued 3,500  skipped 3  failed 0  480 rows/s  7 s left``."""
    counts = batch.counts
    work = counts.total - counts.error  # rows that may be issued
    done = counts.issued + counts.failed + (counts.skipped - counts.error)
    parts: list[str] = [batch.state]
    if bar:
        filled = round(_BAR * done / work) if work else _BAR
        parts[0] = "[" + "#" * filled + "." * (_BAR - filled) + "] " + batch.state
    parts += [
        f"{done:,}/{work:,}",
        f"issued {counts.issued:,}",
        f"skipped {counts.skipped:,}",
        f"failed {counts.failed:,}",
    ]
    if batch.rows_per_second is not None:
        parts.append(f"{batch.rows_per_second:,.0f} rows/s")
    if batch.eta_seconds is not None:
        parts.append(f"{batch.eta_seconds:,.0f} s left")
    return "  ".join(parts)


def follow(
    fetch: Callable[[], BatchRead],
    out: TextIO,
    *,
    interval: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchRead:
    """Show the batch until it is no longer queued or running; return its last state."""
    tty = out.isatty()
    shown = ""
    while True:
        batch = fetch()
        text = line(batch, bar=tty)
        if tty:
            out.write("\r" + text + "\033[K")
        elif text != shown:
            out.write(text + "\n")
        out.flush()
        shown = text
        if batch.state not in _RUNNING:
            if tty:
                out.write("\n")
            return batch
        sleep(interval)
