"""Due dates (到期日) of a requirement for one person, from their records; pure functions."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from powerlist.training.config import Requirement

MAX_CYCLES = 200


@dataclass(frozen=True)
class ExamSitting:
    """One exam session (考试场次) as due-date logic needs it."""

    year: int
    opens_on: date
    closes_on: date
    resit: bool


@dataclass(frozen=True)
class Due:
    """Where one person stands on one requirement: last completion and the next due date.

    `due_on` is None when nothing is due (e.g. next year's exam is not scheduled yet).
    """

    last_done: date | None
    due_on: date | None


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (01-31 + 1 month = 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def due_for(requirement: Requirement, completions: Sequence[date]) -> Due:
    """The due date of a periodic requirement (培训/证件) from its completion dates."""
    done = sorted(completions)
    last = done[-1] if done else None
    if requirement.counts_from == "last_completion":
        due = add_months(last, requirement.every_months) if last else requirement.first_due
        return Due(last, due)
    if requirement.counts_from == "previous_due":
        start = add_months(done[0], requirement.every_months) if done else requirement.first_due
        return Due(last, _first_unmet(start, requirement.every_months, done))
    if requirement.counts_from == "fixed" and requirement.anchor is not None:
        start = requirement.anchor
        while start < requirement.first_due:
            start = add_months(start, requirement.every_months)
        return Due(last, _first_unmet(start, requirement.every_months, done))
    raise ValueError(f"{requirement.code}: counts_from={requirement.counts_from} needs exam data")


def _first_unmet(start: date, every: int, done: list[date]) -> date:
    """First date of the grid start, start+every, … that no completion meets.

    A completion meets a grid date when it falls in that cycle (after the previous grid date)
    or later; each completion meets one grid date, so a late one pays the overdue cycle only.
    """
    unused = list(done)
    due = start
    for _ in range(MAX_CYCLES):
        window_start = add_months(due, -every)
        match = next((c for c in unused if c > window_start), None)
        if match is None:
            return due
        unused.remove(match)
        due = add_months(due, every)
    return due


def exam_due(
    requirement: Requirement,
    sittings: Sequence[ExamSitting],
    passed_years: set[int],
    today: date,
    passed_on: dict[int, date] | None = None,
) -> Due:
    """The exam's due date: the close of the year's next session (main sittings, then resit).

    A year may hold several sittings; until one is passed, the next one to close is due, and
    after the last has closed the person stays overdue from it. The year considered is the
    latest whose first main sitting opens within a month of `today` (or earlier); a year passed
    makes the next year's sitting due once it is scheduled. The last completion is the date
    the latest passed exam was taken (`passed_on` by year); without it, none is invented.
    """
    years = sorted({s.year for s in sittings if s.year >= requirement.first_due.year})
    current = [y for y in years if _main(sittings, y).opens_on <= add_months(today, 1)]
    last_pass = max(passed_years) if passed_years else None
    last_done = (passed_on or {}).get(last_pass) if last_pass else None
    if not current:
        return Due(last_done, _main(sittings, years[0]).closes_on if years else None)
    year = current[-1]
    if year in passed_years:
        later = [y for y in years if y > year]
        return Due(last_done, _main(sittings, later[0]).closes_on if later else None)
    closes = sorted(s.closes_on for s in sittings if s.year == year)
    upcoming = [day for day in closes if day >= today]
    return Due(last_done, upcoming[0] if upcoming else closes[-1])


def _main(sittings: Sequence[ExamSitting], year: int) -> ExamSitting:
    mains = [s for s in sittings if s.year == year and not s.resit]
    if not mains:
        return min((s for s in sittings if s.year == year), key=lambda s: s.opens_on)
    return min(mains, key=lambda s: s.opens_on)
