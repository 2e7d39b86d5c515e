"""Assessment rows in the database: replaced per (delegation, period), read back for reports.

Re-running a period replaces a department's rows instead of adding to them; the yearly
review reads the latest yearly grades through `latest_yearly_grades`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from powerlist.assessment.assess import Assessment
from powerlist.models import Delegation, DelegationAssessment, Department, PowerItem, ReceivingUnit


@dataclass(frozen=True)
class ReportRow:
    """One assessed delegation as the workbooks show it (from a fresh result or the database)."""

    department_code: str
    department_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    district: str
    item_code: str
    item_name: str
    category: str
    mode: str
    since: date
    revoked_on: date | None
    agreement: str | None
    score: float | None
    grade: str | None
    recommendation: str
    reasons: str
    indicators: dict[str, Any]

    def get(self, key: str) -> Any:
        """An indicator by name (None when absent)."""
        return self.indicators.get(key)


def save_assessments(
    session: Session, run_id: int, department_id: int, period: str, results: list[Assessment]
) -> None:
    """Replace the department's assessment rows for `period` with `results`."""
    owned = select(Delegation.id).where(Delegation.from_department_id == department_id)
    session.execute(
        delete(DelegationAssessment)
        .where(DelegationAssessment.period == period)
        .where(DelegationAssessment.delegation_id.in_(owned))
    )
    session.add_all(
        DelegationAssessment(
            run_id=run_id,
            delegation_id=result.delegation.id,
            period=period,
            score=result.score.score,
            grade=result.score.grade,
            recommendation=result.verdict.recommendation,
            reasons="；".join(result.verdict.reasons),
            indicators=result.as_json(),
        )
        for result in results
    )
    session.flush()


def report_row(result: Assessment) -> ReportRow:
    """A fresh result as a workbook row."""
    d = result.delegation
    return ReportRow(
        department_code=d.department_code,
        department_name=d.department_name,
        unit_id=d.unit_id,
        unit_code=d.unit_code,
        unit_name=d.unit_name,
        district=d.district,
        item_code=d.item_code,
        item_name=d.item_name,
        category=d.category,
        mode=d.mode,
        since=d.since,
        revoked_on=d.revoked_on,
        agreement=d.agreement,
        score=result.score.score,
        grade=result.score.grade,
        recommendation=result.verdict.recommendation,
        reasons="；".join(result.verdict.reasons),
        indicators=result.as_json(),
    )


def period_rows(
    session: Session,
    period: str,
    unit_ids: set[int] | None = None,
    indicators: Collection[str] | None = None,
) -> list[ReportRow]:
    """Every stored assessment of `period` (optionally only for some receiving units, and
    keeping only some indicators).

    Columns, not ORM entities, and only the indicators a workbook shows: at province scale
    (100,000+ delegations) five entities and a full indicator dict per row took the finish
    step's worker past 1.5 GB.
    """
    query = (
        select(
            Department.code,
            Department.name,
            ReceivingUnit.id,
            ReceivingUnit.code,
            ReceivingUnit.name,
            ReceivingUnit.district,
            PowerItem.code,
            PowerItem.name,
            PowerItem.sub_item,
            PowerItem.category,
            Delegation.mode,
            Delegation.since,
            Delegation.revoked_on,
            Delegation.agreement,
            DelegationAssessment.score,
            DelegationAssessment.grade,
            DelegationAssessment.recommendation,
            DelegationAssessment.reasons,
            DelegationAssessment.indicators,
        )
        .join(Delegation, Delegation.id == DelegationAssessment.delegation_id)
        .join(PowerItem, PowerItem.id == Delegation.item_id)
        .join(Department, Department.id == Delegation.from_department_id)
        .join(ReceivingUnit, ReceivingUnit.id == Delegation.unit_id)
        .where(DelegationAssessment.period == period)
        .order_by(Department.code, PowerItem.code, ReceivingUnit.code, Delegation.id)
    )
    if unit_ids is not None:
        query = query.where(Delegation.unit_id.in_(unit_ids))
    return [
        ReportRow(
            department_code=dept_code,
            department_name=dept_name,
            unit_id=unit_id,
            unit_code=unit_code,
            unit_name=unit_name,
            district=district,
            item_code=item_code,
            item_name=item_name if not sub_item else f"{item_name}（{sub_item}）",
            category=category,
            mode=mode,
            since=since,
            revoked_on=revoked_on,
            agreement=agreement,
            score=score,
            grade=grade,
            recommendation=recommendation,
            reasons=reasons or "",
            indicators=_keep(found or {}, indicators),
        )
        for (
            dept_code, dept_name, unit_id, unit_code, unit_name, district,
            item_code, item_name, sub_item, category,
            mode, since, revoked_on, agreement,
            score, grade, recommendation, reasons, found,
        ) in session.execute(query, execution_options={"yield_per": 5_000})  # streamed
    ]  # fmt: skip


def _keep(found: dict[str, Any], keep: Collection[str] | None) -> dict[str, Any]:
    return found if keep is None else {key: found[key] for key in keep if key in found}


@dataclass(frozen=True)
class YearlyGrade:
    """The latest yearly assessment of one delegation (what the yearly review reads)."""

    delegation_id: int
    item_id: int
    period: str
    score: float | None
    grade: str | None
    recommendation: str
    reasons: str


def latest_yearly_grades(
    session: Session, before_year: int | None = None
) -> dict[int, YearlyGrade]:
    """The newest yearly (not quarterly) assessment per delegation, optionally before a year."""
    query = (
        select(DelegationAssessment, Delegation.item_id)
        .join(Delegation, Delegation.id == DelegationAssessment.delegation_id)
        .order_by(DelegationAssessment.period)
    )
    latest: dict[int, YearlyGrade] = {}
    for row, item_id in session.execute(query):
        if not _YEAR.match(row.period):
            continue
        if before_year is not None and int(row.period) >= before_year:
            continue
        latest[row.delegation_id] = YearlyGrade(
            delegation_id=row.delegation_id,
            item_id=item_id,
            period=row.period,
            score=row.score,
            grade=row.grade,
            recommendation=row.recommendation,
            reasons=row.reasons or "",
        )
    return latest


_YEAR = re.compile(r"^\d{4}$")
