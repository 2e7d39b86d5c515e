"""Load one delegating department's facts for an assessment in a handful of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from powerlist.assessment.facts import DelegationFacts, MonthStat, UnitStaffing
from powerlist.assessment.indicators import training_window
from powerlist.models import (
    Delegation,
    Department,
    ExamResult,
    ExamSession,
    HandlingStat,
    PowerItem,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)
from powerlist.periods import Period
from powerlist.training.due import add_months

ENFORCEMENT_ROLE = "执法人员"
# HandlingStat's columns in MonthStat's field order
_STAT_COLUMNS = tuple(getattr(HandlingStat, field.name) for field in fields(MonthStat))


class UnknownDepartment(LookupError):
    """No department has this code."""


@dataclass(frozen=True)
class DepartmentFacts:
    """Everything needed to assess one department's delegations for some periods."""

    department_id: int
    department_code: str
    department_name: str
    delegations: list[DelegationFacts]
    stats: dict[int, list[MonthStat]]  # by delegation id
    staffing: dict[tuple[int, str], UnitStaffing]  # by (unit id, period label)


def load_department(
    session: Session, code: str, periods: list[Period], as_of: date, requirement_code: str
) -> DepartmentFacts:
    """Facts of department `code`'s delegations in force during any of `periods`."""
    department = session.scalars(select(Department).where(Department.code == code)).one_or_none()
    if department is None:
        raise UnknownDepartment(f"没有编码为 {code} 的部门")
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    delegations = _delegations(session, department, first, last)
    ids = {d.id for d in delegations}
    stats: dict[int, list[MonthStat]] = defaultdict(list)
    rows = session.execute(
        select(HandlingStat.delegation_id, *_STAT_COLUMNS)
        .join(Delegation, Delegation.id == HandlingStat.delegation_id)
        .where(Delegation.from_department_id == department.id)
        .where(HandlingStat.month.between(first, last))
        .order_by(HandlingStat.delegation_id, HandlingStat.month)
    )
    for delegation_id, *values in rows:  # columns, not ORM entities: a few per delegation
        if delegation_id in ids:
            stats[delegation_id].append(MonthStat(*values))
    staffing = {}
    people = _People.load(session, department.id, requirement_code)
    for period in periods:
        window = training_window(period, as_of)
        for unit_id, unit in _staffing(session, people, window).items():
            staffing[(unit_id, period.label)] = unit
    return DepartmentFacts(
        department_id=department.id,
        department_code=department.code,
        department_name=department.name,
        delegations=delegations,
        stats=dict(stats),
        staffing=staffing,
    )


def departments_with_delegations(session: Session, period: Period) -> list[str]:
    """Codes of departments with a delegation in force during `period`, in code order."""
    query = (
        select(Department.code)
        .join(Delegation, Delegation.from_department_id == Department.id)
        .where(Delegation.since <= period.end)
        .where((Delegation.revoked_on.is_(None)) | (Delegation.revoked_on > period.start))
        .distinct()
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def _delegations(
    session: Session, department: Department, first: date, last: date
) -> list[DelegationFacts]:
    query = (
        select(Delegation, PowerItem, ReceivingUnit)
        .join(PowerItem, PowerItem.id == Delegation.item_id)
        .join(ReceivingUnit, ReceivingUnit.id == Delegation.unit_id)
        .where(Delegation.from_department_id == department.id)
        .where(Delegation.since <= last)
        .where((Delegation.revoked_on.is_(None)) | (Delegation.revoked_on > first))
        .order_by(PowerItem.code, ReceivingUnit.code, Delegation.since)
    )
    return [
        DelegationFacts(
            id=d.id,
            item_code=item.code,
            item_name=item.name if not item.sub_item else f"{item.name}（{item.sub_item}）",
            category=item.category,
            department_code=department.code,
            department_name=department.name,
            unit_id=unit.id,
            unit_code=unit.code,
            unit_name=unit.name,
            district=unit.district,
            mode=d.mode,
            since=d.since,
            revoked_on=d.revoked_on,
            agreement=d.agreement,
        )
        for d, item, unit in session.execute(query)
    ]


@dataclass(frozen=True)
class _People:
    """The receiving units' staff and the requirements, the same for every period assessed
    (loaded once per department, not once per period)."""

    units: Any  # the department's receiving unit ids, as a subquery
    staff: list[tuple[int, int, str, str | None]]  # id, unit id, role, credential number
    enforcement: list[int]  # ids of the enforcement staff (执法人员)
    requirement: TrainingRequirement | None
    credentials: list[TrainingRequirement]  # the 证件 requirements (审验)
    exam_closes: dict[int, date]  # the last closing day of each year's law exam sessions

    @classmethod
    def load(cls, session: Session, department_id: int, requirement_code: str) -> _People:
        """Staff, enforcement staff and requirements of `department_id`'s receiving units."""
        units = select(Delegation.unit_id).where(Delegation.from_department_id == department_id)
        staff = session.execute(
            select(Staff.id, Staff.unit_id, Staff.role, Staff.credential_no)
            .where(Staff.unit_id.in_(units))
            .where(Staff.active.is_(True))
        ).all()
        enforcement = session.scalars(
            select(Staff.id).where(Staff.unit_id.in_(units), Staff.role == ENFORCEMENT_ROLE)
        ).all()
        requirements = session.scalars(
            select(TrainingRequirement).where(
                (TrainingRequirement.code == requirement_code)
                | (TrainingRequirement.kind == "证件")
            )
        ).all()
        closes = session.execute(
            select(ExamSession.year, func.max(ExamSession.closes_on)).group_by(ExamSession.year)
        ).all()
        return cls(
            units=units,
            staff=[tuple(row) for row in staff],  # type: ignore[misc]
            enforcement=list(enforcement),
            requirement=next((r for r in requirements if r.code == requirement_code), None),
            credentials=[r for r in requirements if r.kind == "证件"],
            exam_closes=dict(closes),  # type: ignore[arg-type]
        )


def _staffing(
    session: Session, people: _People, window: tuple[date, date]
) -> dict[int, UnitStaffing]:
    units, requirement = people.units, people.requirement
    hours: dict[int, float] = {}
    if requirement is not None:
        hours = dict(
            session.execute(
                select(TrainingRecord.staff_id, func.sum(TrainingRecord.hours))
                .join(Staff, Staff.id == TrainingRecord.staff_id)
                .where(Staff.unit_id.in_(units))
                .where(TrainingRecord.requirement_id == requirement.id)
                .where(TrainingRecord.completed_on.between(*window))
                .group_by(TrainingRecord.staff_id)
            ).all()
        )
    by_unit: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    for staff_id, unit_id, role, credential in people.staff:
        by_unit[unit_id].append((staff_id, role, credential))
    lapsed = _not_credentialed(session, people, window[1])
    result = {}
    for unit_id, members in by_unit.items():
        owing = [
            float(hours.get(staff_id, 0.0))
            for staff_id, role, _ in members
            if requirement is not None
            and (requirement.applies_to_role is None or requirement.applies_to_role == role)
        ]
        result[unit_id] = UnitStaffing(
            staff=len(members),
            credentialed=sum(
                1
                for staff_id, role, cred in members
                if role == ENFORCEMENT_ROLE and cred and cred.strip() and staff_id not in lapsed
            ),
            training_hours=tuple(owing) if requirement is not None else None,
        )
    return result


def _not_credentialed(session: Session, people: _People, day: date) -> set[int]:
    """Staff whose 执法证 does not count on `day`: 审验 lapsed, or the latest exam not passed.

    审验 (a 证件 requirement) lapses when the last one is older than its period; the law exam
    (考试) counts for the latest year whose sessions have all closed by `day`. A requirement
    with no records in the database at all is not held against anyone.
    """
    staff = select(Staff.id).where(Staff.unit_id.in_(people.units), Staff.role == ENFORCEMENT_ROLE)
    lapsed: set[int] = set()
    for requirement in people.credentials:
        last = dict(
            session.execute(
                select(TrainingRecord.staff_id, func.max(TrainingRecord.completed_on))
                .where(TrainingRecord.requirement_id == requirement.id)
                .where(TrainingRecord.staff_id.in_(staff), TrainingRecord.completed_on <= day)
                .group_by(TrainingRecord.staff_id)
            ).all()
        )
        if not last:
            continue
        since = add_months(day, -requirement.every_months)
        lapsed |= {p for p in people.enforcement if last.get(p) is None or last[p] < since}
    held = [year for year, closed in people.exam_closes.items() if closed < day]
    if held:
        year = max(held)
        passed = set(
            session.scalars(
                select(ExamResult.staff_id)
                .join(ExamSession, ExamSession.id == ExamResult.session_id)
                .where(ExamSession.year == year, ExamResult.passed.is_(True))
                .where(ExamResult.staff_id.in_(staff))
            )
        )
        lapsed |= set(people.enforcement) - passed
    return lapsed
