"""Persist a department's findings and report rows for a run (replace, never duplicate)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from powerlist.models import Finding, Report
from powerlist.review.facts import FindingDraft
from powerlist.review.workbooks import WrittenReport


def replace_findings(
    session: Session, run_id: int, department_id: int, drafts: Sequence[FindingDraft]
) -> int:
    """Delete this run's findings for the department and insert `drafts`; returns the count."""
    session.execute(
        delete(Finding).where(Finding.run_id == run_id, Finding.department_id == department_id)
    )
    if drafts:  # one executemany, not the ORM unit of work: a department may have hundreds
        session.execute(
            insert(Finding),
            [
                {
                    "run_id": run_id,
                    "department_id": department_id,
                    "item_id": d.item_id,
                    "rule": d.rule,
                    "severity": d.severity,
                    "message": d.message,
                    "suggested_action": d.action,
                    "code": None if d.item_id else d.code,
                }
                for d in drafts
            ],
        )
    return len(drafts)


def record_report(
    session: Session,
    run_id: int,
    department_id: int | None,
    kind: str,
    written: WrittenReport,
) -> Report:
    """Insert or update the Report row of (run, kind, department) for a written workbook."""
    report = session.scalars(
        select(Report).where(
            Report.run_id == run_id,
            Report.kind == kind,
            Report.department_id.is_(None)
            if department_id is None
            else Report.department_id == department_id,
            Report.unit_id.is_(None),
        )
    ).one_or_none()
    if report is None:
        report = Report(run_id=run_id, department_id=department_id, kind=kind)
        session.add(report)
    artifact = written.artifact
    report.file_name = artifact.path.name
    report.path = str(artifact.path)
    report.sha256 = artifact.sha256
    report.bytes = artifact.bytes
    report.rows = written.rows
    session.flush()
    return report
