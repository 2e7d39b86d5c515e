"""Plain records the review rules read: one department's items, bases, catalog, assessments.

The loader fills these in a few queries; the rules never touch the database or the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class BasisFacts:
    """A cited legal basis (法律依据) with the articles (条款) the item cites."""

    basis_id: int
    title: str
    level: str
    status: str
    effective_on: date | None
    amended_on: date | None
    repealed_on: date | None
    successor: str | None
    articles: str | None
    issuer: str | None = None  # 制定机关: tells a 省级 rule from a 设区的市 one


@dataclass(frozen=True)
class ItemFacts:
    """A power item (权力事项) as the rules see it."""

    id: int
    code: str
    name: str
    sub_item: str | None
    category: str
    status: str
    unit: str | None
    responsibilities: str | None
    accountability: str | None
    last_reviewed_on: date | None
    bases: tuple[BasisFacts, ...] = ()
    department_id: int = 0


@dataclass(frozen=True)
class CatalogFacts:
    """An upper-level catalog entry (上级目录) that concerns this department."""

    code: str
    name: str
    category: str
    department_name: str | None
    decision: str
    document: str | None
    decided_on: date | None
    basis: str | None


@dataclass(frozen=True)
class AssessmentFacts:
    """The latest yearly assessment (效能评估) of one delegation of an item."""

    delegation_id: int
    item_id: int
    unit_name: str
    mode: str
    period: str
    score: float | None
    grade: str | None
    recommendation: str


@dataclass(frozen=True)
class DelegationFacts:
    """A delegation (下放/委托) of one of the department's items to a receiving unit."""

    id: int
    item_id: int
    mode: str
    unit_name: str
    district: str
    since: date
    revoked_on: date | None
    agreement: str | None  # 委托书 (委托协议)
    unit_kind: str = ""  # 单位类型 of the receiving unit (vocab.UnitKind)
    decision_document: str | None = None  # 下放决定文号


@dataclass(frozen=True)
class HeldElsewhere:
    """An item another department holds (for 职责交叉, overlapping duties)."""

    department_name: str
    code: str
    name: str
    sub_item: str | None


@dataclass(frozen=True)
class PredecessorFacts:
    """A department merged into (并入) the reviewed one whose items it now answers for."""

    id: int
    name: str
    abolished_on: date | None


@dataclass(frozen=True)
class DepartmentFacts:
    """Everything one department's review needs."""

    id: int
    code: str
    name: str
    level: str
    active: bool
    successor: str | None
    abolished_on: date | None
    items: tuple[ItemFacts, ...]
    short_name: str | None = None
    catalog: tuple[CatalogFacts, ...] = ()
    assessments: tuple[AssessmentFacts, ...] = ()
    assessments_available: bool = False
    delegations: tuple[DelegationFacts, ...] = ()
    predecessors: tuple[PredecessorFacts, ...] = ()
    held_elsewhere: tuple[HeldElsewhere, ...] = ()


@dataclass(frozen=True)
class FindingDraft:
    """A finding before it is stored: rule, severity, message, suggested decision."""

    item_id: int | None
    code: str
    rule: str
    severity: str
    message: str
    action: str
    extra: dict[str, str] = field(default_factory=dict)
