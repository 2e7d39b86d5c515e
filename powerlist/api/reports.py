"""Reports (报表): list the caller's workbooks and download one, checked against its sha256."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from sqlalchemy import Engine

from powerlist.api.deps import RowId, audit, current_caller, get_engine, not_found
from powerlist.api.report_access import (
    ReportUnavailable,
    checked_file,
    content_disposition,
    find_report,
    visible_reports,
)
from powerlist.db import session_scope
from powerlist.settings import get_settings
from powerlist.tokens import Caller

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get("")
def reports(
    caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> list[dict[str, Any]]:
    """The reports the caller may see: a department its own, an administrator all."""
    with session_scope(engine) as session:
        views = visible_reports(session, caller)
    return [{**asdict(v), "created_at": v.created_at.isoformat()} for v in views]


def download_response(engine: Engine, caller: Caller, report_id: int) -> FileResponse:
    """The file of one of the caller's reports, with safe download headers; 404 otherwise."""
    try:
        with session_scope(engine) as session:
            report = find_report(session, caller, report_id)
            path = checked_file(report, get_settings().reports_dir)
            file_name, sha256 = report.file_name, report.sha256
    except ReportUnavailable as error:
        raise not_found() from error
    audit(engine, caller, "download_report", "report", report_id,
          {"file": file_name, "sha256": sha256})  # fmt: skip
    return FileResponse(
        path,
        media_type=XLSX,
        headers={
            "Content-Disposition": content_disposition(file_name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/{report_id}/download", response_class=FileResponse)
def download(
    report_id: RowId, caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> FileResponse:
    """Download one report (.xlsx); another department's answers exactly like a missing one."""
    return download_response(engine, caller, report_id)
