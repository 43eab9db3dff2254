"""The statistics as CSV: one line per row of every grouping, then the totals."""

from __future__ import annotations

import csv
import io

from app.statistics.service import Statistics


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statistics_csv(stats: Statistics) -> str:
    """UTF-8 text with a byte order mark, which Excel needs to read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [m.name for m in stats.measures]
    writer.writerow(["grouping", "key", "label_ja", "label_en", *names])
    for grouping, groups in stats.groups.items():
        for g in groups:
            writer.writerow(
                [_cell(v) for v in (grouping, g.key, g.label[0], g.label[1])]
                + [g.counts[n] for n in names]
            )
    writer.writerow(["total", "", "合計", "Total", *[stats.totals[n] for n in names]])
    return "\ufeff" + out.getvalue()
