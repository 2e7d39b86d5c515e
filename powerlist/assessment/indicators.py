"""Indicators (评估指标) of one delegation for one period, computed from plain facts.

A month counts as expected when it has ended before `as_of` and the delegation was in force
on at least one of its days, so a delegation that started or was revoked mid-period is
assessed pro rata. A month without a report is missing, never read as zero cases.
Every rate is a fraction of a real count and never above 100 %: 按时办结率 = 按时办结 ÷ 办结
(cases still within their time limit are not late), 投诉率 = 投诉 ÷ 受理, 退回纠错率 = 退件 ÷
受理; 好差评 (when reported): 好评率 = 好评 ÷ 评价, 差评率 = 差评 ÷ 评价,
差评整改率 = 差评已整改 ÷ 差评.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from powerlist.assessment.config import AssessmentConfig
from powerlist.assessment.facts import DelegationFacts, MonthStat, UnitStaffing
from powerlist.periods import Period, PeriodKind, period_containing


@dataclass(frozen=True)
class Indicators:
    """What the data says about one delegation in one period; None means missing data."""

    months_expected: int
    months_reported: int
    missing_months: list[str]
    received: int | None
    completed: int | None
    on_time: int | None
    overdue: int | None
    complaints: int | None
    poor_ratings: int | None
    returned: int | None
    zero_case: bool
    on_time_rate: float | None
    complaint_rate: float | None
    returned_rate: float | None
    credentialed_staff: int
    credentialed_required: int
    staff: int
    training_target_hours: float
    training_hours_avg: float | None
    training_share: float | None
    has_agreement: bool
    revoked_in_period: bool
    good_rating_rate: float | None = None
    poor_rating_rate: float | None = None
    poor_fixed_rate: float | None = None

    @property
    def reported_share(self) -> float | None:
        """Share of expected monthly reports that arrived (None when none was expected)."""
        if not self.months_expected:
            return None
        return self.months_reported / self.months_expected


def expected_months(delegation: DelegationFacts, period: Period, as_of: date) -> list[date]:
    """First days of the months in `period` that have ended before `as_of` and in which the
    delegation was in force on at least one day."""
    since, revoked = delegation.since, delegation.revoked_on
    return [
        month
        for month, end in _months(period)
        if end < as_of and since <= end and (revoked is None or revoked > month)
    ]


@lru_cache(maxsize=64)
def _months(period: Period) -> tuple[tuple[date, date], ...]:
    """First and last day of every month `period` touches (the same few periods all run)."""
    months: list[tuple[date, date]] = []
    month = period.start.replace(day=1)
    while month <= period.end:
        end = period_containing(month, PeriodKind.MONTH).end
        months.append((month, end))
        month = end + timedelta(days=1)
    return tuple(months)


def measure(
    delegation: DelegationFacts,
    stats: Iterable[MonthStat],
    staffing: UnitStaffing,
    period: Period,
    as_of: date,
    config: AssessmentConfig,
) -> Indicators:
    """Compute every indicator of `delegation` for `period` from its monthly reports and unit."""
    expected = expected_months(delegation, period, as_of)
    wanted = set(expected)
    by_month = {s.month.replace(day=1): s for s in stats if s.month.replace(day=1) in wanted}
    reported = [by_month[m] for m in expected if m in by_month]
    totals = _totals(reported) if reported else None
    received = totals["received"] if totals else None
    targets = config.targets
    required = (
        targets.credentialed_staff_strong
        if delegation.category in targets.strong_powers
        else targets.credentialed_staff_other
    )
    training_target = training_target_hours(delegation, period, as_of, config)
    return Indicators(
        months_expected=len(expected),
        months_reported=len(reported),
        missing_months=[f"{m:%Y-%m}" for m in expected if m not in by_month],
        received=received,
        completed=totals["completed"] if totals else None,
        on_time=totals["on_time"] if totals else None,
        overdue=totals["overdue"] if totals else None,
        complaints=totals["complaints"] if totals else None,
        poor_ratings=totals["poor_ratings"] if totals else None,
        returned=totals["returned"] if totals else None,
        zero_case=received == 0,
        on_time_rate=_ratio(totals["on_time"], totals["completed"]) if totals else None,
        complaint_rate=_ratio(totals["complaints"], received) if totals else None,
        returned_rate=_ratio(totals["returned"], received) if totals else None,
        credentialed_staff=staffing.credentialed,
        credentialed_required=required,
        staff=staffing.staff,
        training_target_hours=round(training_target, 1),
        training_hours_avg=(
            round(sum(staffing.training_hours) / len(staffing.training_hours), 1)
            if staffing.training_hours
            else None
        ),
        training_share=training_share(staffing.training_hours, training_target),
        has_agreement=bool(delegation.agreement and delegation.agreement.strip()),
        revoked_in_period=delegation.revoked_on is not None
        and period.start < delegation.revoked_on <= period.end,
        **_satisfaction(reported),
    )


def training_window(period: Period, as_of: date) -> tuple[date, date]:
    """The twelve months of training that count: ending with the period (or before `as_of`)."""
    end = min(period.end, as_of - timedelta(days=1))
    return end - timedelta(days=364), end


def training_target_hours(
    delegation: DelegationFacts, period: Period, as_of: date, config: AssessmentConfig
) -> float:
    """Hours each staff member owes in the window, pro rata when the delegation is younger."""
    start, end = training_window(period, as_of)
    months = 12
    if delegation.since > start:
        since = delegation.since
        months = min(12, max(1, (end.year - since.year) * 12 + end.month - since.month + 1))
    return config.targets.training_hours_per_year * months / 12


def training_share(hours: tuple[float, ...] | None, target: float) -> float | None:
    """Mean share of the target each staff member reached (each capped at 100%)."""
    if not hours:
        return None
    return sum(min(1.0, h / target) for h in hours) / len(hours)


def _satisfaction(reported: list[MonthStat]) -> dict[str, float | None]:
    """好评率, 差评率 and 差评整改率 over the months that reported ratings (None: no ratings)."""
    rated = [s for s in reported if s.ratings is not None]
    ratings = sum(s.ratings or 0 for s in rated)
    poor = sum(s.poor_ratings for s in rated)
    fixed = [s.poor_ratings_fixed for s in rated if s.poor_ratings_fixed is not None]
    return {
        "good_rating_rate": _ratio(sum(s.good_ratings or 0 for s in rated), ratings),
        "poor_rating_rate": _ratio(poor, ratings),
        "poor_fixed_rate": _ratio(sum(fixed), poor) if fixed else None,
    }


_COUNTS = ("received", "completed", "on_time", "overdue", "complaints", "poor_ratings", "returned")


def _totals(reported: list[MonthStat]) -> dict[str, int]:
    return {name: sum(getattr(s, name) for s in reported) for name in _COUNTS}


def _ratio(part: int, whole: int | None) -> float | None:
    """part ÷ whole, never above 1 (the import refuses impossible rows; older data is capped)."""
    if not whole:
        return None
    return min(1.0, part / whole)
