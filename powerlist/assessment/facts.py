"""Plain facts an assessment needs, loaded once per department: no ORM objects past here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DelegationFacts:
    """A delegation (下放) or entrustment (委托): what was handed, by whom, to whom, when."""

    id: int
    item_code: str
    item_name: str
    category: str
    department_code: str
    department_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    district: str
    mode: str
    since: date
    revoked_on: date | None
    agreement: str | None


@dataclass(frozen=True)
class MonthStat:
    """One monthly handling report (办件统计); a month without a row was not reported."""

    month: date
    received: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    complaints: int = 0
    poor_ratings: int = 0
    returned: int = 0
    ratings: int | None = None  # 好差评 评价数; None when the report has no ratings
    good_ratings: int | None = None
    poor_ratings_fixed: int | None = None


@dataclass(frozen=True)
class UnitStaffing:
    """A receiving unit's active staff: enforcement credentials and training hours per person."""

    staff: int
    credentialed: int
    training_hours: tuple[float, ...] | None  # per staff member who owes training; None: unknown
