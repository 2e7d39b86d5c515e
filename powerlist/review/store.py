"""Persist a department's findings and report rows for a run (replace, never duplicate)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from powerlist.models import Finding, Report
from powerlist.review.facts import FindingDraft
from powerlist.review.workbooks import WrittenReport

_FINDINGS = Finding.__table__
# Built once, on the table: the ORM's bulk insert looked at each of the rows again.
_DELETE_FINDINGS = delete(_FINDINGS).where(
    _FINDINGS.c.run_id == bindparam("p_run"), _FINDINGS.c.department_id == bindparam("p_department")
)
_INSERT_FINDING = insert(_FINDINGS)


def replace_findings(
    session: Session, run_id: int, department_id: int, drafts: Sequence[FindingDraft]
) -> int:
    """Delete this run's findings for the department and insert `drafts`; returns the count."""
    session.execute(_DELETE_FINDINGS, {"p_run": run_id, "p_department": department_id})
    if drafts:  # one executemany, not the ORM unit of work: a department may have hundreds
        session.execute(
            _INSERT_FINDING,
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


_REPORT_OF = select(Report).where(
    Report.run_id == bindparam("p_run"),
    Report.kind == bindparam("p_kind"),
    Report.unit_id.is_(None),
)
_CITY_REPORT = _REPORT_OF.where(Report.department_id.is_(None))
_DEPARTMENT_REPORT = _REPORT_OF.where(Report.department_id == bindparam("p_department"))


def record_report(
    session: Session,
    run_id: int,
    department_id: int | None,
    kind: str,
    written: WrittenReport,
) -> Report:
    """Insert or update the Report row of (run, kind, department) for a written workbook."""
    query = _CITY_REPORT if department_id is None else _DEPARTMENT_REPORT
    values = {"p_run": run_id, "p_kind": kind, "p_department": department_id}
    report = session.scalars(query, values).one_or_none()
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
