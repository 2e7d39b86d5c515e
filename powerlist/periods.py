"""Periods a run is for: a year (2026), a quarter (2026-Q3), a month (2026-07) or a day.

A run is keyed by (job, period, scope); periods are parsed here once so every door (CLI,
HTTP, schedule) spells them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    """Granularity of a period."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    DAY = "day"


class BadPeriod(ValueError):
    """A period string that is not 2026, 2026-Q3, 2026-07 or 2026-07-15."""


@dataclass(frozen=True, order=True)
class Period:
    """A closed date range with its canonical label, e.g. 2026-Q3 = 2026-07-01 … 2026-09-30."""

    start: date
    end: date
    kind: PeriodKind
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one (for trends)."""
        return period_containing(self.start - timedelta(days=1), self.kind)

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        return period_containing(self.end + timedelta(days=1), self.kind)


_PATTERNS = (
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), PeriodKind.DAY),
)


def parse_period(text: str) -> Period:
    """Parse 2026, 2026-Q3, 2026-07 or 2026-07-15 (raises BadPeriod with the accepted forms)."""
    raw = text.strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(raw)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        try:
            if kind is PeriodKind.YEAR:
                return period_containing(date(numbers[0], 1, 1), kind)
            if kind is PeriodKind.QUARTER:
                return period_containing(date(numbers[0], 3 * numbers[1] - 2, 1), kind)
            if kind is PeriodKind.MONTH:
                return period_containing(date(numbers[0], numbers[1], 1), kind)
            return period_containing(date(*numbers), kind)
        except ValueError as error:
            raise BadPeriod(f"不存在的日期：{raw}：请检查月份和日") from error
    raise BadPeriod(f"无法识别的期间“{raw}”：应为 2026、2026-Q3、2026-07 或 2026-07-15")


def period_containing(day: date, kind: PeriodKind) -> Period:
    """The year, quarter, month or day that contains `day`."""
    if kind is PeriodKind.YEAR:
        return Period(date(day.year, 1, 1), date(day.year, 12, 31), kind, f"{day.year}")
    if kind is PeriodKind.QUARTER:
        quarter = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * quarter - 2, 1)
        end = _month_end(date(day.year, 3 * quarter, 1))
        return Period(start, end, kind, f"{day.year}-Q{quarter}")
    if kind is PeriodKind.MONTH:
        start = day.replace(day=1)
        return Period(start, _month_end(start), kind, f"{day.year}-{day.month:02d}")
    return Period(day, day, kind, day.isoformat())


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
