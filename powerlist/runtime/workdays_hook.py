"""HOOK: how the runtime learns which days are working days (工作日) for `runs_on = "working_day"`.

The calendar itself lives in `powerlist.workdays` (statutory holidays and 调休 weekends, plus the
override file); a year it does not know raises `UnknownYear`: an alert, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

WorkingDayCheck = Callable[[date], bool]


def working_day_check() -> WorkingDayCheck | None:
    """The working-day predicate of China's calendar (`powerlist.workdays.is_working_day`)."""
    from powerlist.workdays import is_working_day

    return is_working_day


def fires_on(day: date, runs_on: str, check: WorkingDayCheck | None) -> bool:
    """Whether an entry with `runs_on` fires on `day` (a calendar error propagates: no guess)."""
    if runs_on != "working_day" or check is None:
        return True
    return check(day)
