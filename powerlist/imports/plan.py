"""What an import would change, computed before anything is written; then writing it with audit.

A `Change` is one row to insert or update. Kinds build changes from parsed rows; the generic
writer inserts new rows, updates changed ones with an audit event (before/after of the changed
fields), and leaves equal rows alone, so importing the same content twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from powerlist.imports.fields import Catalog, ColumnMap, SourceRow
from powerlist.imports.problems import RowError
from powerlist.models import AuditEvent

BATCH = 5000


@dataclass(slots=True)
class Change:
    """One row to insert (`existing` is None) or to bring up to date."""

    model: type
    existing: Any | None
    values: dict[str, Any]
    label: str
    extra: dict[str, Any] = field(default_factory=dict)
    new_id: int | None = None

    @property
    def row_id(self) -> int:
        """The id of the stored row (after writing; kinds set `new_id` for new rows)."""
        return self.new_id if self.existing is None else self.existing.id  # type: ignore[return-value]


@dataclass
class Counts:
    """How many rows an import creates, updates and leaves as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class ImportKind:
    """One kind of import (items, laws, …): its columns, how rows become changes, how to write."""

    name = ""
    title = ""
    fields: tuple = ()

    def __init__(self) -> None:
        self.catalog = Catalog(self.fields)
        # rows with a cell that did not parse: kinds may still report the row's other problems
        self.rejected: list[tuple[SourceRow, ColumnMap]] = []

    def prepare(
        self, session: Session, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[Change]:
        """Resolve references and check rules; return the changes, adding errors for bad rows."""
        raise NotImplementedError

    def notes(self) -> list[str]:
        """Anything the user should know about the prepared import (e.g. new legal bases)."""
        return []

    def detected_changes(self) -> list[Any]:
        """Changes other jobs react to (laws: 立改废释, see powerlist.adjustment); [] otherwise."""
        return []

    def record_detected(self, session: Session, import_id: int) -> None:
        """Store what `detected_changes` found against the import that made it."""

    def fill_down(self, rows: list[SourceRow]) -> None:
        """Fill cells left blank under a merged or repeated value (items only)."""

    def diff(self, change: Change) -> dict[str, tuple[Any, Any]]:
        """Changed fields of an existing row: name → (before, after)."""
        if change.existing is None:
            return {}
        out = {}
        for key, after in change.values.items():
            before = getattr(change.existing, key)
            if not _same(before, after):
                out[key] = (before, after)
        return out

    def count(self, changes: list[Change]) -> Counts:
        """Counts without writing (dry run)."""
        counts = Counts()
        for change in changes:
            if change.existing is None:
                counts.created += 1
            elif self.diff(change):
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def write(self, session: Session, changes: list[Change], actor: str) -> Counts:
        """Insert new rows, update changed ones (one audit event each), skip equal ones."""
        counts = Counts(created=insert_new(session, [c for c in changes if c.existing is None]))
        for change in changes:
            if change.existing is None:
                continue
            changed = self.diff(change)
            if not changed:
                counts.unchanged += 1
                continue
            self.update(change, changed)
            session.add(audit_update(actor, change, changed))
            counts.updated += 1
        session.flush()
        self.after_write(session, changes)
        return counts

    def update(self, change: Change, changed: dict[str, tuple[Any, Any]]) -> None:
        """Apply the changed fields to the existing row."""
        for key, (_, after) in changed.items():
            if hasattr(change.model, key):
                setattr(change.existing, key, after)

    def after_write(self, session: Session, changes: list[Change]) -> None:
        """Write dependent rows once ids exist (items: their legal bases)."""


def insert_new(session: Session, changes: list[Change]) -> int:
    """Insert new rows in executemany batches; kinds that need the new ids look them up.

    Core inserts on the table (attribute names are column names), in the session's
    transaction: the ORM's bulk path adds per-row work and nothing this import needs.
    """
    session.flush()
    connection = session.connection()
    groups: dict[tuple[type, frozenset[str]], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault((change.model, frozenset(change.values)), []).append(change.values)
    for (model, _), rows in groups.items():
        statement = insert(model.__table__)  # type: ignore[attr-defined]
        for start in range(0, len(rows), BATCH):
            connection.execute(statement, rows[start : start + BATCH])
    return len(changes)


def audit_update(actor: str, change: Change, changed: dict[str, tuple[Any, Any]]) -> AuditEvent:
    """An audit event with the changed fields before and after."""
    return AuditEvent(
        actor=actor,
        action="import.update",
        entity=change.model.__tablename__,
        entity_id=str(change.existing.id) if change.existing.id else change.label,
        before={key: jsonable(before) for key, (before, _) in changed.items()}
        | {"_label": change.label},
        after={key: jsonable(after) for key, (_, after) in changed.items()},
    )


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, int | float) and isinstance(after, int | float):
        return float(before) == float(after)
    if before in ("", None) and after in ("", None, {}):
        return True
    return before == after
