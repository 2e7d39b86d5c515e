"""`schedules list` shows the next real runs: working days only, one run per period."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from powerlist.runtime.upcoming import upcoming_runs
from powerlist.runtime.workdays_hook import working_day_check
from schedules.loader import load_schedule

ZONE = ZoneInfo("Asia/Shanghai")


def _runs(name: str, now: datetime, count: int = 3) -> list[tuple[str | None, str | None]]:
    entry = load_schedule(timezone="Asia/Shanghai").entry(name)
    return [
        (run.at.strftime("%Y-%m-%d %H:%M") if run.at else run.note, run.period)
        for run in upcoming_runs(entry, now.replace(tzinfo=ZONE), count, working_day_check())
    ]


def test_daily_reminders_skip_the_weekend() -> None:
    friday_noon = datetime(2026, 11, 6, 12, 0)
    assert _runs("training_reminders", friday_noon) == [
        ("2026-11-09 08:30", "2026-11-09"),
        ("2026-11-10 08:30", "2026-11-10"),
        ("2026-11-11 08:30", "2026-11-11"),
    ]


def test_daily_reminders_skip_the_national_day_holiday() -> None:
    assert [at for at, _ in _runs("training_reminders", datetime(2026, 9, 30, 12, 0))] == [
        "2026-10-08 08:30",
        "2026-10-09 08:30",
        "2026-10-10 08:30",  # a 调休 Saturday is a working day
    ]


def test_first_working_day_entries_show_the_one_day_that_runs() -> None:
    # 2026-01-11 is a Sunday: the review of 2025 runs on Monday the 12th, once; 2027 is unknown.
    assert _runs("yearly_review", datetime(2025, 12, 1, 9, 0)) == [
        ("2026-01-12 08:30", "2025"),
        ("2027年的节假日安排未知，无法确定运行日", None),
    ]


def test_a_period_that_already_ran_is_not_shown_again() -> None:
    after_it_ran = datetime(2026, 1, 13, 9, 0)
    assert _runs("yearly_review", after_it_ran) == [
        ("2027年的节假日安排未知，无法确定运行日", None)
    ]


def test_quarterly_assessment_runs_once_per_quarter() -> None:
    runs = _runs("delegation_assessment_quarterly", datetime(2026, 6, 20, 9, 0))
    assert runs[:2] == [("2026-07-06 09:00", "2026-Q2"), ("2026-10-08 09:00", "2026-Q3")]
