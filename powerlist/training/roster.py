"""A receiving unit's roster (花名册): each person × requirement with due date and status.

Loads the staff, records and exam results of many units in a few queries and computes, with the
pure functions in `due` and `stages`, where everyone stands on `today`. Records dated after
`today` are ignored, so replaying a past day gives that day's answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from powerlist.models import (
    Delegation,
    Department,
    ExamResult,
    ExamSession,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)
from powerlist.outbox.store import insert_ignore
from powerlist.training.config import Requirement, TrainingConfig
from powerlist.training.due import Due, ExamSitting, add_months, due_for, exam_due
from powerlist.training.stages import Status, hours_status, status_of

CHUNK = 5_000  # ids per IN list (SQLite allows 32,766 bound parameters)


@dataclass(frozen=True)
class RosterLine:
    """One person's standing on one requirement."""

    staff_id: int
    staff_no: str
    name: str
    role: str
    email: str | None
    phone: str | None
    requirement: Requirement
    last_done: date | None
    due_on: date | None
    status: Status
    hours_12_months: float | None  # 培训 only: 学时 in the twelve months up to the day
    exam_passed: bool | None  # 考试 only: passed this year's exam (incl. resit)


@dataclass(frozen=True)
class Entrusting:
    """A department that delegated or entrusted powers to the unit (谁委托、谁培训)."""

    name: str
    contact_email: str | None


@dataclass(frozen=True)
class UnitRoster:
    """A receiving unit, its head, its entrusting departments and its roster lines."""

    unit_id: int
    code: str
    name: str
    district: str
    kind: str
    head_name: str | None
    head_email: str | None
    entrusting: tuple[Entrusting, ...]
    lines: tuple[RosterLine, ...]


def ensure_requirements(session: Session, config: TrainingConfig) -> dict[str, int]:
    """Make sure every configured requirement has its row (by code); code → id."""
    codes = [r.code for r in config.requirements]
    query = select(TrainingRequirement.code, TrainingRequirement.id).where(
        TrainingRequirement.code.in_(codes)
    )
    ids = {code: rid for code, rid in session.execute(query)}
    missing = [req for req in config.requirements if req.code not in ids]
    for req in missing:
        insert_ignore(
            session,
            TrainingRequirement.__table__,
            {
                "code": req.code,
                "name": req.name,
                "kind": req.kind,
                "applies_to_role": req.roles[0] if len(req.roles) == 1 else None,
                "every_months": req.every_months,
                "hours_per_year": req.hours_per_year,
                "counts_from": req.counts_from,
            },
        )
    if missing:
        ids = {code: rid for code, rid in session.execute(query)}
    return ids


def load_unit_roster(
    session: Session, unit: ReceivingUnit, today: date, config: TrainingConfig, ids: dict[str, int]
) -> UnitRoster:
    """The roster of `unit` as it stands on `today`."""
    return load_rosters(session, [unit], today, config, ids)[0]


def load_rosters(
    session: Session,
    units: Sequence[ReceivingUnit],
    today: date,
    config: TrainingConfig,
    ids: dict[str, int],
) -> list[UnitRoster]:
    """The rosters of `units` on `today`, in their order, from a handful of queries in all."""
    unit_ids = [unit.id for unit in units]
    staff: dict[int, list[StaffRow]] = defaultdict(list)
    if unit_ids:
        rows = session.execute(
            select(
                Staff.id, Staff.unit_id, Staff.staff_no, Staff.name, Staff.role, Staff.email,
                Staff.phone,
            )
            .where(Staff.unit_id.in_(unit_ids), Staff.active.is_(True))
            .order_by(Staff.id)
        )  # fmt: skip
        for row in rows:
            staff[row.unit_id].append(StaffRow(*row))
    staff_ids = [person.id for people in staff.values() for person in people]
    done = _completions(session, staff_ids, today)
    sittings, passed = _exams(session, staff_ids, today)
    entrusting = entrusting_departments(session, unit_ids, today)
    exam_dues: ExamDues = {}  # the same passes give the same due date: most people share one
    return [
        UnitRoster(
            unit_id=unit.id,
            code=unit.code,
            name=unit.name,
            district=unit.district,
            kind=unit.kind,
            head_name=unit.head_name,
            head_email=unit.head_email,
            entrusting=entrusting.get(unit.id, ()),
            lines=tuple(
                _lines(
                    staff[unit.id], unit.kind, done, sittings, passed, today, config, ids, exam_dues
                )
            ),
        )
        for unit in units
    ]


ExamDues = dict[tuple[int, tuple[tuple[int, date], ...]], Due]


@dataclass(frozen=True)
class StaffRow:
    """The columns of an active staff member a roster needs."""

    id: int
    unit_id: int
    staff_no: str
    name: str
    role: str
    email: str | None
    phone: str | None


def _lines(
    people: list[StaffRow],
    unit_kind: str,
    done: dict[tuple[int, int], list[tuple[date, float]]],
    sittings: dict[int, list[ExamSitting]],
    passed: dict[tuple[int, int], dict[int, date]],
    today: date,
    config: TrainingConfig,
    ids: dict[str, int],
    exam_dues: ExamDues,
) -> Iterator[RosterLine]:
    for person in people:
        for req in config.requirements:
            if not req.applies_to(person.role, unit_kind):
                continue
            rid = ids[req.code]
            records = done.get((person.id, rid), [])
            if req.counts_from == "exam_sessions":
                taken = passed.get((person.id, rid), {})
                memo = (rid, tuple(sorted(taken.items())))
                due = exam_dues.get(memo) or exam_dues.setdefault(
                    memo, exam_due(req, sittings.get(rid, []), set(taken), today, taken)
                )
                exam_passed: bool | None = today.year in taken
            else:
                due = due_for(req, [day for day, _ in records])
                exam_passed = None
            yield _line(person, req, due, records, today, config, exam_passed)


def _line(
    person: StaffRow,
    req: Requirement,
    due: Due,
    records: list[tuple[date, float]],
    today: date,
    config: TrainingConfig,
    exam_passed: bool | None,
) -> RosterLine:
    hours = None
    if req.kind == "培训":
        start = _year_before(today)  # the twelve months a due date counts (last + 12)
        hours = round(sum(h for day, h in records if start < day <= today), 1)
    return RosterLine(
        staff_id=person.id,
        staff_no=person.staff_no,
        name=person.name,
        role=person.role,
        email=person.email,
        phone=person.phone,
        requirement=req,
        last_done=due.last_done,
        due_on=due.due_on,
        status=hours_status(status_of(due.due_on, today, config.stages), hours, req.hours_per_year),
        hours_12_months=hours,
        exam_passed=exam_passed,
    )


@lru_cache(maxsize=64)
def _year_before(today: date) -> date:
    return add_months(today, -12)


def _completions(
    session: Session, staff_ids: list[int], today: date
) -> dict[tuple[int, int], list[tuple[date, float]]]:
    found: dict[tuple[int, int], list[tuple[date, float]]] = defaultdict(list)
    if not staff_ids:
        return found
    for chunk in _chunks(staff_ids):
        rows = session.execute(
            select(
                TrainingRecord.staff_id,
                TrainingRecord.requirement_id,
                TrainingRecord.completed_on,
                TrainingRecord.hours,
            ).where(TrainingRecord.staff_id.in_(chunk), TrainingRecord.completed_on <= today)
        )
        for staff_id, rid, day, hours in rows:
            found[(staff_id, rid)].append((day, hours or 0.0))
    return found


def _exams(
    session: Session, staff_ids: list[int], today: date
) -> tuple[dict[int, list[ExamSitting]], dict[tuple[int, int], dict[int, date]]]:
    sittings: dict[int, list[ExamSitting]] = defaultdict(list)
    for row in session.scalars(select(ExamSession)):
        sittings[row.requirement_id].append(
            ExamSitting(row.year, row.opens_on, row.closes_on, row.resit)
        )
    passed: dict[tuple[int, int], dict[int, date]] = defaultdict(dict)
    for chunk in _chunks(staff_ids):
        rows = session.execute(
            select(
                ExamResult.staff_id,
                ExamSession.requirement_id,
                ExamSession.year,
                ExamResult.taken_on,
            )
            .join(ExamSession, ExamSession.id == ExamResult.session_id)
            .where(
                ExamResult.staff_id.in_(chunk),
                ExamResult.passed.is_(True),
                ExamResult.taken_on <= today,
            )
        )
        for staff_id, rid, year, taken_on in rows:  # per year, the date of the first pass
            years = passed[(staff_id, rid)]
            years[year] = min(taken_on, years.get(year, taken_on))
    return sittings, passed


def entrusting_departments(
    session: Session, unit_ids: list[int], today: date
) -> dict[int, tuple[Entrusting, ...]]:
    """Per unit id, the departments with a delegation to it in force on `today`."""
    found: dict[int, list[Entrusting]] = defaultdict(list)
    for chunk in _chunks(unit_ids):
        rows = session.execute(
            select(Delegation.unit_id, Department.name, Department.contact_email)
            .join(Delegation, Delegation.from_department_id == Department.id)
            .where(
                Delegation.unit_id.in_(chunk),
                Delegation.since <= today,
                or_(Delegation.revoked_on.is_(None), Delegation.revoked_on > today),
            )
            .distinct()
            .order_by(Delegation.unit_id, Department.name)
        )
        for unit_id, name, email in rows:
            found[unit_id].append(Entrusting(name, email))
    return {unit_id: tuple(depts) for unit_id, depts in found.items()}


def _chunks(values: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    """`values` in slices small enough for an IN list on every database."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
