"""Import one file of one kind: all or nothing, a no-op when the same content was imported before.

The CLI and the HTTP API both call `import_file`; it writes inside the caller's session and
raises `ImportRejected` (with every error and an error workbook) before writing anything.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.artifacts import sha256_of
from powerlist.db import refresh_statistics
from powerlist.excel.reading import UnsafeFile, check_file_size, ensure_defusedxml
from powerlist.imports.error_book import write_error_workbook
from powerlist.imports.fields import ColumnMap, SourceRow
from powerlist.imports.kinds.registry import KINDS, kind_named
from powerlist.imports.plan import Counts
from powerlist.imports.problems import ImportRejected, NoDataRejected, RowError
from powerlist.imports.sources import NoDataRows, NoTable, RawTable, read_tables
from powerlist.models import AuditEvent, ImportRecord
from powerlist.settings import get_settings

log = logging.getLogger(__name__)

# An import this large refreshes PostgreSQL's planner statistics before it commits.
ANALYZE_AFTER_ROWS = 1_000


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    file: str
    sha256: str
    rows: int = 0
    counts: Counts = field(default_factory=Counts)
    already_imported: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    import_id: int | None = None
    law_changes: list[Any] = field(default_factory=list)  # DetectedChange (laws only)


def import_file(
    session: Session,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str = "cli",
    error_dir: Path | None = None,
    file_name: str | None = None,
    create_departments: bool = False,
) -> ImportResult:
    """Validate the whole file, then write it in `session` (unless `dry_run`); see module doc."""
    # The import keeps the whole file in memory (all or nothing) while openpyxl's read-only
    # parser allocates several small objects per cell; every full cyclic-GC pass then walks all
    # the rows read so far, and those passes were most of the time on a 100,000-row list. Rows,
    # cells and changes hold no reference cycles, so reference counting frees them; the cyclic
    # collector is off for the import only (process-wide while it runs) and restored after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _import_file(
            session, kind, path, dry_run, actor, error_dir, file_name, create_departments
        )
    finally:
        if was_enabled:
            gc.enable()


def _import_file(
    session: Session,
    kind: str,
    path: Path,
    dry_run: bool,
    actor: str,
    error_dir: Path | None,
    file_name: str | None,
    create_departments: bool = False,
) -> ImportResult:
    ensure_defusedxml()
    spec = kind_named(kind)
    if create_departments and hasattr(spec, "create_departments"):
        spec.create_departments = True
    name = file_name or path.name
    try:
        check_file_size(path)
    except UnsafeFile as exc:
        raise ImportRejected(name, [_file_error(name, path, exc)]) from exc
    sha256 = sha256_of(path)
    result = ImportResult(kind, name, sha256, dry_run=dry_run)
    previous = session.scalar(
        select(ImportRecord).where(ImportRecord.kind == kind, ImportRecord.sha256 == sha256)
    )
    if previous is not None:
        result.already_imported = True
        result.rows = previous.rows
        result.notes.append(
            f"同一文件已于 {previous.imported_at:%Y-%m-%d %H:%M} 导入，未做任何更改"
        )
        return result
    try:
        tables = read_tables(path, spec.catalog.is_header)
    except NoDataRows as exc:
        raise NoDataRejected(name, [_file_error(name, path, exc)]) from exc
    except (UnsafeFile, NoTable) as exc:
        raise ImportRejected(name, [_file_error(name, path, exc)]) from exc
    if not any(table.rows for table in tables):
        error = NoDataRows(f"{name}: 没有数据行（只有表头）；请在表头下填写数据后再导入")
        raise NoDataRejected(name, [_file_error(name, path, error)])
    errors: list[RowError] = []
    rows = _parsed_rows(spec, tables, errors)
    if errors and all(error.row is None for error in errors):
        raise ImportRejected(name, errors)  # the header itself is wrong: no cells to mark
    changes = spec.prepare(session, rows, errors)
    if errors:
        target = (error_dir or get_settings().reports_dir / "import-errors") / (
            f"{Path(name).stem}-错误清单-{sha256[:8]}.xlsx"
        )
        sheets = {table.sheet: index for index, table in enumerate(tables)}
        errors.sort(key=lambda e: (sheets.get(e.sheet, -1), e.row or 0, e.column or ""))
        book = write_error_workbook(target, spec.title, name, tables, errors)
        raise ImportRejected(name, errors, book)
    result.rows = len(rows)
    del tables, rows  # the changes hold what is written: free the cells before writing
    result.notes.extend(spec.notes())
    result.law_changes = spec.detected_changes()
    if dry_run:
        result.counts = spec.count(changes)
        return result
    result.counts = spec.write(session, changes, actor)
    if result.rows >= ANALYZE_AFTER_ROWS:
        refresh_statistics(session)  # fresh planner statistics for the jobs that read them next
    record = ImportRecord(
        kind=kind, file_name=name[:256], sha256=sha256, rows=result.rows, actor=actor
    )
    session.add(record)
    session.add(_audit_import(result, actor))
    session.flush()
    result.import_id = record.id
    spec.record_detected(session, record.id)
    log.info("imported %s %s: %s", kind, name, result.counts)
    return result


def _parsed_rows(
    spec: object, tables: list[RawTable], errors: list[RowError]
) -> list[tuple[SourceRow, ColumnMap]]:
    rows: list[tuple[SourceRow, ColumnMap]] = []
    for table in tables:
        columns = spec.catalog.map_columns(table, errors)  # type: ignore[attr-defined]
        if errors:
            continue
        source = spec.catalog.source_rows(columns)  # type: ignore[attr-defined]
        spec.fill_down(source)  # type: ignore[attr-defined]
        for row in source:
            if spec.catalog.parse(row, columns, errors):  # type: ignore[attr-defined]
                rows.append((row, columns))
            else:
                spec.rejected.append((row, columns))  # type: ignore[attr-defined]
            row.raw = {}  # parsed: the raw cells stay in `tables` for the error workbook
    return rows


def _file_error(name: str, path: Path, exc: Exception) -> RowError:
    """An error about the whole file (its messages start with the file name; drop the repeat)."""
    return RowError(name, "", None, None, str(exc).removeprefix(f"{path.name}: "))


def _audit_import(result: ImportResult, actor: str) -> AuditEvent:
    return AuditEvent(
        actor=actor,
        action="import",
        entity="imports",
        entity_id=result.sha256[:16],
        before=None,
        after={
            "kind": result.kind,
            "file": result.file,
            "sha256": result.sha256,
            "rows": result.rows,
            "created": result.counts.created,
            "updated": result.counts.updated,
            "unchanged": result.counts.unchanged,
        },
    )


__all__ = ["KINDS", "ImportRejected", "ImportResult", "NoDataRejected", "import_file"]
