"""Bar charts drawn on the server as inline SVG: no script, readable without CSS.

Each chart names itself (``<title>``, ``<desc>``, ``role="img"`` and ``aria-labelledby``)
and writes every bar's label and number as text, so a screen reader or a printed page loses
nothing (https://www.w3.org/WAI/tutorials/images/complex/). The numbers are also in the
table next to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from markupsafe import Markup

from app.templating import render

__all__ = ["Bar", "bar_chart"]

WIDTH = 720
LABEL_WIDTH = 200
VALUE_WIDTH = 70
ROW = 24
BAR = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float = 0
    y: float = 0
    width: float = 0


def bar_chart(title: str, description: str, bars: list[tuple[str, int]]) -> Markup:
    """A horizontal bar chart of ``bars`` (label, value), scaled to the largest value."""
    largest = max((value for _, value in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    placed = [
        Bar(label, value, LABEL_WIDTH, i * ROW + (ROW - BAR) / 2, round(span * value / largest, 1))
        for i, (label, value) in enumerate(bars)
    ]
    return Markup(  # noqa: S704 - rendered by an autoescaping template
        render(
            "console/chart.svg",
            chart_id=f"chart-{uuid.uuid4().hex[:8]}",
            title=title,
            description=description,
            bars=placed,
            width=WIDTH,
            height=max(1, len(bars)) * ROW,
            label_width=LABEL_WIDTH,
            bar_height=BAR,
            row=ROW,
        )
    )
