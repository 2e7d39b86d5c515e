"""Columns an import understands: canonical Chinese header, accepted synonyms, parser, required.

Published lists name the same column in several ways (项目编码/事项编码/职权编码 …); a header
is matched after folding (full-width → ASCII, spaces and * removed, a trailing (…) note dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from powerlist.imports.problems import RowError
from powerlist.imports.sources import RawTable
from powerlist.imports.text import BadValue, clean, fold

# Columns the error workbook adds; a corrected error workbook can be uploaded again as it is.
ERROR_ROW_HEADER = "原行号"
ERROR_MESSAGE_HEADER = "错误说明"
IGNORED_HEADERS = frozenset(
    fold(h) for h in ("序号", "编号", ERROR_ROW_HEADER, ERROR_MESSAGE_HEADER)
)


@dataclass(frozen=True)
class Field:
    """One column an import reads into the key `key` (canonical header `label`)."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = clean
    required: bool = False

    def spellings(self) -> set[str]:
        """Folded header spellings that mean this field."""
        return {fold(self.label), *(fold(s) for s in self.synonyms)}


@dataclass(slots=True)
class SourceRow:
    """One data row: where it is, its raw cells by field key, and extra columns kept as text."""

    sheet: str
    row: int
    raw: dict[str, Any]
    extra: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class ColumnMap:
    """Which column of a table holds which field, and which columns are kept as extras."""

    table: RawTable
    fields: dict[int, Field]
    extras: dict[int, str]

    def column_name(self, key: str) -> str:
        """'C 实施依据': the column letter and header a user sees for a field."""
        for index, candidate in self.fields.items():
            if candidate.key == key:
                return f"{get_column_letter(index + 1)} {self.table.headers[index]}"
        return key


class Catalog:
    """The fields of one import kind and a fast folded-header lookup."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        self.by_spelling = {spelling: f for f in self.fields for spelling in f.spellings()}

    def is_header(self, text: str) -> bool:
        """True when `text` names one of these fields (or a column every import ignores)."""
        folded = fold(text)
        return folded in self.by_spelling or folded in IGNORED_HEADERS

    def map_columns(self, table: RawTable, errors: list[RowError]) -> ColumnMap:
        """Match the table's headers to fields; a missing required column is an error."""
        fields: dict[int, Field] = {}
        extras: dict[int, str] = {}
        seen: set[str] = set()
        for index, header in enumerate(table.headers):
            folded = fold(header) if header else ""
            found = self.by_spelling.get(folded)
            if found is not None and found.key not in seen:
                fields[index] = found
                seen.add(found.key)
            elif header and folded not in IGNORED_HEADERS:
                extras[index] = header
        for wanted in self.fields:
            if wanted.required and wanted.key not in seen:
                names = "/".join((wanted.label, *wanted.synonyms[:3]))
                errors.append(
                    RowError(table.file, table.sheet, None, wanted.label, f"缺少必填列（{names}）")
                )
        return ColumnMap(table, fields, extras)

    def source_rows(self, columns: ColumnMap) -> list[SourceRow]:
        """The table's rows with cells keyed by field; extra columns as cleaned text."""
        out = []
        for number, values in columns.table.rows:
            raw = {f.key: _cell(values, i) for i, f in columns.fields.items()}
            extra = {
                h: text for i, h in columns.extras.items() if (text := clean(_cell(values, i)))
            }
            out.append(SourceRow(columns.table.sheet, number, raw, extra))
        return out

    def parse(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> bool:
        """Parse every cell of `row` into `row.values`; False (with errors added) if any is bad."""
        ok = True
        for index, f in columns.fields.items():
            try:
                value = f.parse(row.raw.get(f.key))
            except BadValue as exc:
                self.error(errors, columns, row, f.key, str(exc))
                ok = False
                continue
            if value is None and f.required:
                header = columns.table.headers[index]
                self.error(errors, columns, row, f.key, f"{header}为空 (required)")
                ok = False
            row.values[f.key] = value
        return ok

    @staticmethod
    def error(
        errors: list[RowError], columns: ColumnMap, row: SourceRow, key: str | None, message: str
    ) -> None:
        """Record an error on one cell (or the whole row when `key` is None)."""
        column = columns.column_name(key) if key else None
        errors.append(RowError(columns.table.file, row.sheet, row.row, column, message))


def _cell(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None
