"""Law changes (法规变动): what a laws import changed, stored per import, and the items citing it.

The laws import calls `detect` on its prepared rows (before writing, so the old values are
still there) and `record` once the import has an id; the 个别调整 job reads change sets back
with `changes_for`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from powerlist.models import Department, ItemBasis, LawChange, LegalBasis, PowerItem
from powerlist.review.rules import REVIEWED_STATUSES
from powerlist.settings import get_settings

TRACKED = {
    "status": "时效性",
    "amended_on": "修改日期",
    "repealed_on": "废止日期",
    "effective_on": "施行日期",
    "successor": "替代法规",
}
"""Fields whose change makes the items citing a law worth a second look (field → 中文名)."""

INTERPRETATION = "interpretation"
"""A new interpretation (释) of a law: a row of the import naming the law it interprets."""
LABELS = {**TRACKED, INTERPRETATION: "新的解释"}

IMPORT_SCOPE_PREFIX = "import-"
"""Scope of the run started by one import: `import-<import id>` (its change set)."""


@dataclass(frozen=True)
class CitingItem:
    """An item still on the list (保留/下放/委托/暂停) that cites a changed law."""

    item_id: int
    code: str
    name: str
    department_code: str
    department_name: str
    articles: str | None


@dataclass
class DetectedChange:
    """One changed field of one law, with the items citing that law."""

    law_id: int
    title: str
    field: str
    old: str | None
    new: str | None
    items: list[CitingItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The changed field's Chinese name (时效性, 修改日期 …)."""
        return LABELS[self.field]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form for `import --json`."""
        return {
            "law": self.title,
            "field": self.label,
            "old": self.old,
            "new": self.new,
            "items": [
                {"code": i.code, "name": i.name, "department": i.department_name}
                for i in self.items
            ],
        }


def today() -> date:
    """The local date (POWERLIST_TIMEZONE) a change is detected on."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def text(value: object) -> str | None:
    """A field value as stored in LawChange (dates in ISO form, blanks as None)."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def field_changes(
    law_id: int, title: str, before: dict[str, object], after: dict[str, object]
) -> list[DetectedChange]:
    """The tracked fields that differ between a stored law and its imported row."""
    found = []
    for key in TRACKED:
        if key not in after:
            continue
        old, new = text(before.get(key)), text(after[key])
        if old != new:
            found.append(DetectedChange(law_id, title, key, old, new))
    return found


def attach_citing_items(session: Session, changes: list[DetectedChange]) -> None:
    """Fill in each change's citing items (on the list only), in two queries at most."""
    if not changes:
        return
    by_law = citing_items(session, {c.law_id for c in changes})
    for change in changes:
        change.items = by_law.get(change.law_id, [])


def citing_items(session: Session, law_ids: set[int]) -> dict[int, list[CitingItem]]:
    """Items still on the list that cite these laws, by law id, in department and code order."""
    rows = session.execute(
        select(
            ItemBasis.basis_id,
            PowerItem.id,
            PowerItem.code,
            PowerItem.name,
            Department.code,
            Department.name,
            ItemBasis.articles,
        )
        .join(PowerItem, ItemBasis.item_id == PowerItem.id)
        .join(Department, PowerItem.department_id == Department.id)
        .where(
            ItemBasis.basis_id.in_(sorted(law_ids)),
            PowerItem.status.in_(sorted(REVIEWED_STATUSES)),
        )
        .order_by(Department.id, PowerItem.code, PowerItem.id)
    )
    found: dict[int, dict[int, CitingItem]] = defaultdict(dict)
    for law_id, item_id, code, name, department_code, department_name, articles in rows:
        known = found[law_id].get(item_id)
        if known is not None and articles:  # the law cited twice: keep both articles
            articles = "；".join(a for a in (known.articles, articles) if a)
        found[law_id][item_id] = CitingItem(
            item_id, code, name, department_code, department_name, articles
        )
    return {law_id: list(items.values()) for law_id, items in found.items()}


def interpretation_known(session: Session, law_id: int, title: str) -> bool:
    """Whether this interpretation of the law was recorded by an earlier import."""
    found = session.execute(
        select(LawChange.id)
        .where(
            LawChange.law_id == law_id,
            LawChange.field == INTERPRETATION,
            LawChange.new == title,
        )
        .limit(1)
    ).first()
    return found is not None


def record(
    session: Session, import_id: int, changes: list[DetectedChange], detected_on: date
) -> int:
    """Store the changes of one import (its change set); returns how many."""
    if changes:
        session.execute(
            insert(LawChange),
            [
                {
                    "law_id": c.law_id,
                    "import_id": import_id,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                    "detected_on": detected_on,
                }
                for c in changes
            ],
        )
    return len(changes)


@dataclass(frozen=True)
class StoredChange:
    """A recorded change as the 个别调整 job reads it."""

    id: int
    import_id: int
    law_id: int
    title: str
    level: str
    status: str
    successor: str | None
    field: str
    old: str | None
    new: str | None
    detected_on: date

    @property
    def label(self) -> str:
        """The changed field's Chinese name."""
        return LABELS.get(self.field, self.field)


def changes_for(session: Session, day: date, import_id: int | None = None) -> list[StoredChange]:
    """The changes detected on `day` (by every import, or by one), in detection order."""
    newer = select(LegalBasis.id, LegalBasis.title).subquery("newer")
    query = (
        select(
            LawChange.id,
            LawChange.import_id,
            LegalBasis.id,
            LegalBasis.title,
            LegalBasis.level,
            LegalBasis.status,
            newer.c.title,
            LawChange.field,
            LawChange.old,
            LawChange.new,
            LawChange.detected_on,
        )
        .join(LegalBasis, LawChange.law_id == LegalBasis.id)
        .outerjoin(newer, LegalBasis.superseded_by_id == newer.c.id)
        .where(LawChange.detected_on == day)
        .order_by(LawChange.id)
    )
    if import_id is not None:
        query = query.where(LawChange.import_id == import_id)
    return [StoredChange(*row) for row in session.execute(query)]


def change_sets(session: Session, since: date) -> list[tuple[date, int]]:
    """(day, import id) of every change set detected on or after `since`, oldest first."""
    rows = session.execute(
        select(LawChange.detected_on, LawChange.import_id)
        .where(LawChange.detected_on >= since)
        .distinct()
        .order_by(LawChange.detected_on, LawChange.import_id)
    )
    return [(day, import_id) for day, import_id in rows]


def import_scope(import_id: int) -> str:
    """The run scope of one import's change set."""
    return f"{IMPORT_SCOPE_PREFIX}{import_id}"


def scope_import_id(scope: str) -> int | None:
    """The import id of an `import-<id>` scope, else None (all, or a department code)."""
    if scope.startswith(IMPORT_SCOPE_PREFIX) and scope[len(IMPORT_SCOPE_PREFIX) :].isdigit():
        return int(scope[len(IMPORT_SCOPE_PREFIX) :])
    return None
