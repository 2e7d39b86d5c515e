"""Load one department's review facts in a handful of queries (no lazy loads)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from powerlist.models import (
    Delegation,
    DelegationAssessment,
    Department,
    ItemBasis,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    UpperCatalogEntry,
)
from powerlist.review.facts import (
    AssessmentFacts,
    BasisFacts,
    CatalogFacts,
    DelegationFacts,
    DepartmentFacts,
    ItemFacts,
    PredecessorFacts,
)
from powerlist.review.peers import PeerItems, held_elsewhere

# The loader's statements are built once, their values bound at each call: building them anew
# (ten per department) cost about as much as running them on SQLite.
_YEARLY_ASSESSMENT = (
    select(DelegationAssessment.id).where(DelegationAssessment.period.not_like("%-%")).limit(1)
)


def yearly_assessments_exist(session: Session) -> bool:
    """Whether any yearly delegation assessment (period like 2026) has been recorded."""
    return session.execute(_YEARLY_ASSESSMENT).first() is not None


# Aliases are built once: SQLAlchemy memoizes their adapted columns, which are costly to redo.
_SUCCESSOR = aliased(Department, name="successor")
_NEWER = aliased(LegalBasis, name="newer")
_IDS = bindparam("ids", expanding=True)  # the department and its predecessors

_DEPARTMENT = (
    select(Department, _SUCCESSOR.name)
    .outerjoin(_SUCCESSOR, Department.merged_into_id == _SUCCESSOR.id)
    .where(Department.code == bindparam("code"))
)
_PREDECESSORS = (
    select(Department)
    .where(Department.merged_into_id == bindparam("id"), Department.active.is_(False))
    .order_by(Department.id)
)
_ITEMS = (
    select(
        PowerItem.id,
        PowerItem.code,
        PowerItem.name,
        PowerItem.sub_item,
        PowerItem.category,
        PowerItem.status,
        PowerItem.unit,
        PowerItem.responsibilities,
        PowerItem.accountability,
        PowerItem.last_reviewed_on,
        PowerItem.department_id,
    )
    .where(PowerItem.department_id.in_(_IDS))
    .order_by(PowerItem.id)
)


def load_department(
    session: Session, department_code: str, year: int, peers: PeerItems | None = None
) -> DepartmentFacts:
    """The department with this code and everything its review reads, as plain records.

    `peers` is the run's index of the items peer departments hold (built here when not given).
    """
    row = session.execute(_DEPARTMENT, {"code": department_code}).one_or_none()
    if row is None:
        raise LookupError(f"找不到部门编码“{department_code}”")
    department, successor_name = row
    predecessors = tuple(
        PredecessorFacts(d.id, d.name, d.abolished_on)
        for d in session.scalars(_PREDECESSORS, {"id": department.id})
    )
    ids = [department.id, *(p.id for p in predecessors)]
    bases = bases_by_item(session, ids)
    items = tuple(
        ItemFacts(*row[:-1], bases=tuple(bases.get(row[0], ())), department_id=row[-1])
        for row in session.execute(_ITEMS, {"ids": ids})
    )
    available = yearly_assessments_exist(session)
    catalog = _catalog(session, department.name, {i.code for i in items})
    return DepartmentFacts(
        id=department.id,
        code=department.code,
        name=department.name,
        level=department.level,
        active=department.active,
        successor=successor_name,
        abolished_on=department.abolished_on,
        items=items,
        short_name=department.short_name,
        catalog=catalog,
        assessments=_assessments(session, ids, year) if available else (),
        assessments_available=available,
        delegations=_delegations(session, ids),
        predecessors=predecessors,
        held_elsewhere=held_elsewhere(
            session,
            peers if peers is not None else PeerItems(session),
            department,
            ids,
            items,
            {entry.code for entry in catalog},
        ),
    )


_DELEGATIONS = (
    select(
        Delegation.id,
        Delegation.item_id,
        Delegation.mode,
        ReceivingUnit.name,
        ReceivingUnit.district,
        Delegation.since,
        Delegation.revoked_on,
        Delegation.agreement,
        ReceivingUnit.kind,
        Delegation.decision_document,
    )
    .join(ReceivingUnit, Delegation.unit_id == ReceivingUnit.id)
    .where(Delegation.from_department_id.in_(_IDS))
    .order_by(Delegation.item_id, Delegation.id)
)


def _delegations(session: Session, department_ids: list[int]) -> tuple[DelegationFacts, ...]:
    rows = session.execute(_DELEGATIONS, {"ids": department_ids})
    return tuple(DelegationFacts(*row) for row in rows)


_BASES = (
    select(
        ItemBasis.item_id,
        LegalBasis.id,
        LegalBasis.title,
        LegalBasis.level,
        LegalBasis.status,
        LegalBasis.effective_on,
        LegalBasis.amended_on,
        LegalBasis.repealed_on,
        _NEWER.title,
        ItemBasis.articles,
        LegalBasis.issuer,
    )
    .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
    .join(PowerItem, ItemBasis.item_id == PowerItem.id)
    .outerjoin(_NEWER, LegalBasis.superseded_by_id == _NEWER.id)
    .where(PowerItem.department_id.in_(_IDS))
    .order_by(ItemBasis.id)
)


def bases_by_item(session: Session, department_ids: list[int]) -> dict[int, list[BasisFacts]]:
    """The cited bases of every item of these departments, in citation order."""
    rows = session.execute(_BASES, {"ids": department_ids})
    out: dict[int, list[BasisFacts]] = defaultdict(list)
    for item_id, *basis in rows:
        out[item_id].append(BasisFacts(*basis))
    return out


_CATALOG_COLUMNS = (
    UpperCatalogEntry.id,
    UpperCatalogEntry.code,
    UpperCatalogEntry.name,
    UpperCatalogEntry.category,
    UpperCatalogEntry.department_name,
    UpperCatalogEntry.decision,
    UpperCatalogEntry.decision_document,
    UpperCatalogEntry.decided_on,
    UpperCatalogEntry.basis,
)
# Two indexed lookups (by department, by item code), not one OR that scans the catalog.
_CATALOG_OF_DEPARTMENT = select(*_CATALOG_COLUMNS).where(
    UpperCatalogEntry.department_name == bindparam("name")
)
_CATALOG_OF_CODES = select(*_CATALOG_COLUMNS).where(
    UpperCatalogEntry.code.in_(bindparam("codes", expanding=True))
)


def _catalog(session: Session, name: str, codes: set[str]) -> tuple[CatalogFacts, ...]:
    found = {row[0]: row[1:] for row in session.execute(_CATALOG_OF_DEPARTMENT, {"name": name})}
    if codes:
        found.update(
            (row[0], row[1:])
            for row in session.execute(_CATALOG_OF_CODES, {"codes": sorted(codes)})
        )
    return tuple(CatalogFacts(*found[key]) for key in sorted(found))


_ASSESSMENTS = (
    select(DelegationAssessment, Delegation.item_id, Delegation.mode, ReceivingUnit.name)
    .join(Delegation, DelegationAssessment.delegation_id == Delegation.id)
    .join(ReceivingUnit, Delegation.unit_id == ReceivingUnit.id)
    .where(
        Delegation.from_department_id.in_(_IDS),
        DelegationAssessment.period.not_like("%-%"),
    )
)


def _assessments(
    session: Session, department_ids: list[int], year: int
) -> tuple[AssessmentFacts, ...]:
    rows = session.execute(_ASSESSMENTS, {"ids": department_ids}).all()
    latest: dict[int, tuple[DelegationAssessment, int, str, str]] = {}
    for assessment, item_id, mode, unit in rows:
        if not assessment.period.isdigit() or int(assessment.period) > year:
            continue
        known = latest.get(assessment.delegation_id)
        if known is None or known[0].period < assessment.period:
            latest[assessment.delegation_id] = (assessment, item_id, mode, unit)
    return tuple(
        AssessmentFacts(
            delegation_id=a.delegation_id,
            item_id=item_id,
            unit_name=unit,
            mode=mode,
            period=a.period,
            score=a.score,
            grade=a.grade,
            recommendation=a.recommendation,
        )
        for a, item_id, mode, unit in sorted(latest.values(), key=lambda v: v[0].delegation_id)
    )


def workbook_departments(session: Session, holders: set[int]) -> list[str]:
    """Codes of the departments whose workbooks hold the items of departments `holders`: each
    holder itself, or for a merged or abolished one its active successor (机构改革)."""
    departments = session.scalars(select(Department).order_by(Department.id)).all()
    by_id = {d.id: d for d in departments}
    wanted: set[int] = set()
    for department in departments:
        if department.id not in holders:
            continue
        successor = by_id.get(department.merged_into_id or 0)
        if not department.active and successor is not None and successor.active:
            wanted.add(successor.id)
        else:
            wanted.add(department.id)
    return [d.code for d in departments if d.id in wanted]
