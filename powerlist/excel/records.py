"""The Report row (报表记录) a run records for a workbook it wrote: path, sha256, bytes, rows."""

from __future__ import annotations

from powerlist.excel.layout import WrittenWorkbook
from powerlist.models import Report


def report_for(
    written: WrittenWorkbook,
    *,
    run_id: int,
    kind: str,
    department_id: int | None = None,
    unit_id: int | None = None,
) -> Report:
    """A Report for `written` (not yet added to a session), so downloads can verify the file."""
    return Report(
        run_id=run_id,
        department_id=department_id,
        unit_id=unit_id,
        kind=kind,
        file_name=written.path.name,
        path=str(written.path),
        sha256=written.sha256,
        bytes=written.bytes,
        rows=written.total_rows,
    )
