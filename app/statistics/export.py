"""The statistics as CSV: one line per row of every grouping, then the totals.

Written through the shared spreadsheet writer (:func:`app.spreadsheets.write_rows`), which
neutralises every cell a spreadsheet would run as a formula and starts with a byte order mark
so that Excel reads the UTF-8 as UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.spreadsheets import write_rows
from app.statistics.service import Statistics


def _lines(stats: Statistics) -> Iterator[list[object]]:
    names = [m.name for m in stats.measures]
    yield ["grouping", "key", "label_ja", "label_en", *names]
    for grouping, groups in stats.groups.items():
        for g in groups:
            yield [grouping, g.key, g.label[0], g.label[1], *[g.counts[n] for n in names]]
    yield ["total", "", "合計", "Total", *[stats.totals[n] for n in names]]


def statistics_csv(stats: Statistics) -> str:
    """The whole CSV text (a few hundred lines at most: one per group)."""
    return "".join(write_rows(_lines(stats)))
