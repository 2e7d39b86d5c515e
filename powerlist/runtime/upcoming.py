"""The next real runs of a schedule entry (下次运行): what will run, not every cron match.

An entry with `runs_on = "working_day"` fires on candidate days and is a no-op on the others;
several candidate days that derive the same period (e.g. "the first working day after 1月10日")
run once, on the first working one. A year whose holidays are not known yet is said, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from powerlist.runtime.workdays_hook import WorkingDayCheck, fires_on
from powerlist.workdays import UnknownYear

LOOK_BACK = timedelta(days=45)  # a period's candidate days that already passed (one ran)
LOOK_AHEAD = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Upcoming:
    """One coming run: when and for which period, or a note why no later run can be known."""

    at: datetime | None
    period: str | None
    note: str | None = None


def upcoming_runs(
    entry: Any, now: datetime, count: int, check: WorkingDayCheck | None
) -> list[Upcoming]:
    """The next `count` runs of a schedule entry after `now` (an aware datetime in its zone)."""
    if entry.every is not None:
        return [Upcoming(now + entry.every * (i + 1), None) for i in range(count)]
    found: list[Upcoming] = []
    periods: set[str] = set()
    for fire in entry.fire_times(now - LOOK_BACK, now + LOOK_AHEAD):
        try:
            runs = fires_on(fire.date(), entry.runs_on, check)
        except UnknownYear as error:
            if fire <= now:
                continue
            found.append(
                Upcoming(None, None, note=f"{error.year}年的节假日安排未知，无法确定运行日")
            )
            break
        if not runs:
            continue
        period = entry.period.period_for(fire.date()).label if entry.period else None
        if period is not None:
            if period in periods:
                continue  # a later candidate day of a period that already runs: a no-op
            periods.add(period)
        if fire > now:
            found.append(Upcoming(fire, period))
        if len(found) >= count:
            break
    return found
