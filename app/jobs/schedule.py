"""When a periodic task runs next: cron expressions, five fields or six with seconds last."""

from __future__ import annotations

from datetime import datetime

from croniter import croniter


def next_run(cron: str, after: datetime) -> datetime:
    """The first time after ``after`` that ``cron`` names (``after``'s time zone)."""
    following: datetime = croniter(cron, after).get_next(datetime)
    return following
