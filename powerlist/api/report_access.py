"""Which reports (报表) a caller may see and download, and the checks before a file is served.

A department sees only its own workbooks; an administrator sees all. A report that is not the
caller's is treated exactly like one that does not exist. No path is built from user input:
the path comes from the Report row and must lie under the reports folder and match its sha256.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.artifacts import sha256_of
from powerlist.models import Department, Report, Run
from powerlist.tokens import Caller


class ReportUnavailable(LookupError):
    """No such report for this caller, or its file is missing, moved or altered."""


@dataclass(frozen=True)
class ReportView:
    """One report as the API and portal list it."""

    id: int
    run_id: int
    job: str
    period: str
    kind: str
    department: str | None
    department_name: str | None
    file_name: str
    bytes: int
    rows: int
    created_at: datetime


def visible_reports(session: Session, caller: Caller) -> list[ReportView]:
    """The reports the caller may see, newest run first."""
    query = (
        select(Report, Run.job, Run.period, Department.code, Department.name)
        .join(Run, Run.id == Report.run_id)
        .outerjoin(Department, Department.id == Report.department_id)
        .order_by(Run.period.desc(), Run.job, Report.id)
    )
    if not caller.is_admin:
        query = query.where(Report.department_id == caller.department_id)
    return [
        ReportView(
            r.id,
            r.run_id,
            job,
            period,
            r.kind,
            code,
            name,
            r.file_name,
            r.bytes,
            r.rows,
            r.created_at,
        )
        for r, job, period, code, name in session.execute(query)
    ]


def find_report(session: Session, caller: Caller, report_id: int) -> Report:
    """The caller's report with this id; ReportUnavailable for another's and a missing one alike."""
    query = select(Report).where(Report.id == report_id)
    if not caller.is_admin:
        query = query.where(Report.department_id == caller.department_id)
    report = session.scalar(query)
    if report is None:
        raise ReportUnavailable(report_id)
    return report


def checked_file(report: Report, reports_root: Path) -> Path:
    """The report's file after checking it is under `reports_root` and matches its sha256."""
    root = os.path.realpath(reports_root)
    real = os.path.realpath(report.path)
    if os.path.commonpath([root, real]) != root or not os.path.isfile(real):
        raise ReportUnavailable(report.id)
    if sha256_of(Path(real)) != report.sha256:
        raise ReportUnavailable(report.id)
    return Path(real)


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII fallback name and the RFC 5987 UTF-8 name (Chinese names)."""
    stem, dot, suffix = file_name.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_.") or "report"
    ascii_suffix = "".join(c for c in suffix if c.isascii() and c.isalnum())
    fallback = f"{ascii_stem}.{ascii_suffix}" if ascii_suffix else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
