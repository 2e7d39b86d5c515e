"""A kind whose rows are matched to existing rows by a natural key (staff number, code, …)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, SourceRow
from powerlist.imports.plan import Change, ImportKind
from powerlist.imports.problems import RowError

Key = tuple[Any, ...]
Made = tuple[type, Key, dict[str, Any], str]


class KeyedImport(ImportKind):
    """Rows become changes keyed by `make`; a key twice in one file is an error on `key_field`."""

    key_field = ""

    def load(self, session: Session) -> None:
        """Load what `make` looks up (existing rows by key, departments, units)."""

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """(model, key, values, label) for one parsed row, or None after adding an error."""
        raise NotImplementedError

    def existing(self, model: type, key: Key) -> Any | None:
        """The stored row with this key, if any."""
        return self.stored.get((model, key))

    def prepare(
        self, session: Session, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[Change]:
        """Build one change per row; duplicate keys within the file are errors."""
        self.stored: dict[tuple[type, Key], Any] = {}
        self.load(session)
        self._report_rejected(errors)
        seen: dict[tuple[type, Key], int] = {}
        changes = []
        for row, columns in rows:
            made = self.make(row, columns, errors)
            if made is None:
                continue
            model, key, values, label = made
            if (model, key) in seen:
                self.catalog.error(
                    errors,
                    columns,
                    row,
                    self.key_field,
                    f"与第{seen[(model, key)]}行重复；请删去重复的一行或改正",
                )
                continue
            seen[(model, key)] = row.row
            changes.append(Change(model, self.existing(model, key), values, label))
        return changes

    def _report_rejected(self, errors: list[RowError]) -> None:
        """A row with a bad cell still gets its other problems reported (unknown unit, …)."""
        for row, columns in self.rejected:
            required = [f.key for f in self.fields if f.required and f.key in row.values]
            if any(row.values[key] is None for key in required):
                continue
            try:
                self.make(row, columns, errors)
            except (KeyError, TypeError, AttributeError, ValueError):
                continue  # a check that needs the bad cell itself: its error is already there
