"""The 个别调整 job (adjustment_review): a law change re-reviews exactly the items citing it.

A run is keyed by (adjustment_review, the day, scope): `import-<id>` for the change set of one
laws import (started by the import itself), `all` for every change of the day, or a department
code. One unit per affected department: its findings for the run are replaced, its
`个别调整审核-<日期>-<部门>.xlsx` (the yearly review's department workbook, narrowed) rewritten,
and its liaison told through the outbox.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from powerlist.adjustment import notify
from powerlist.adjustment.changes import StoredChange, changes_for, citing_items, scope_import_id
from powerlist.adjustment.workbook import JOB_TITLE, change_notes, change_sheet, file_name
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import Department, Finding, OutboxMessage, Report, utcnow
from powerlist.periods import Period, PeriodKind
from powerlist.review.config import load_config
from powerlist.review.facts import DepartmentFacts, ItemFacts
from powerlist.review.load import load_department, workbook_departments
from powerlist.review.peers import peer_items_for_run
from powerlist.review.rules import review_department, reviewed_items
from powerlist.review.store import record_report, replace_findings
from powerlist.review.workbooks import department_label, write_department_workbook
from powerlist.settings import get_settings

JOB_NAME = "adjustment_review"
DEPARTMENT_REPORT = "adjustment_department"


def check_period(period: Period) -> None:
    """个别调整 runs for the day the changes were detected (e.g. 2026-12-04)."""
    if period.kind is not PeriodKind.DAY:
        raise ValueError(f"个别调整审核的期间应为日期（如 2026-12-04），而不是 {period.label}")


def run_changes(session: Session, day: date, scope: str) -> list[StoredChange]:
    """The change set a run reviews: one import's (scope import-<id>) or the whole day's."""
    return changes_for(session, day, scope_import_id(scope))


def affected_departments(session: Session, changes: list[StoredChange]) -> list[str]:
    """Codes of the departments answering for an item that cites a changed law.

    An item of a department merged into another (机构改革) is answered for by the successor,
    as in the yearly review.
    """
    if not changes:
        return []
    holders = {
        item.department_code
        for items in citing_items(session, {c.law_id for c in changes}).values()
        for item in items
    }
    ids = set(session.scalars(select(Department.id).where(Department.code.in_(holders))))
    return workbook_departments(session, ids)


def plan_departments(session: Session, day: date, scope: str) -> list[str]:
    """The affected departments of the run (a department scope keeps that one, if affected)."""
    codes = affected_departments(session, run_changes(session, day, scope))
    if scope == "all" or scope_import_id(scope) is not None:
        return codes
    if session.scalar(select(Department.id).where(Department.code == scope)) is None:
        raise ValueError(f"找不到部门编码“{scope}”")
    return [code for code in codes if code == scope]


def touched_items(facts: DepartmentFacts, law_ids: set[int]) -> list[ItemFacts]:
    """The department's items on the list that cite one of the changed laws."""
    return [
        item
        for item in reviewed_items(facts)
        if any(basis.basis_id in law_ids for basis in item.bases)
    ]


def review_unit(
    session: Session, run_id: int, day: date, scope: str, code: str, reports_dir: Any
) -> int:
    """Review one department's touched items: findings, workbook, Report row, messages.

    The rules run over the whole department (duplicates need the neighbours) and only the
    findings about touched items are kept. Returns the number of items in the workbook.
    """
    session.execute(select(Department.id).where(Department.code == code).with_for_update())
    changes = run_changes(session, day, scope)
    config = load_config()
    facts = load_department(session, code, day.year, peer_items_for_run(session, run_id))
    items = touched_items(facts, {c.law_id for c in changes})
    ids = {item.id for item in items}
    drafts = [d for d in review_department(facts, config, day) if d.item_id in ids]
    replace_findings(session, run_id, facts.id, drafts)
    narrowed = replace(
        facts,
        items=tuple(items),
        catalog=(),
        delegations=tuple(d for d in facts.delegations if d.item_id in ids),
        assessments=tuple(a for a in facts.assessments if a.item_id in ids),
    )
    relevant = [c for c in changes if any(b.basis_id == c.law_id for i in items for b in i.bases)]
    label = department_label(facts.name, facts.short_name, facts.level)
    written = write_department_workbook(
        reports_dir / file_name(day, label),
        narrowed,
        drafts,
        config,
        run_id=run_id,
        year=day.year,
        as_of=day,
        generated_at=_now(),
        job_title=JOB_TITLE,
        period_label=day.isoformat(),
        changes_sheet=change_sheet(items, relevant),
        extra_notes=change_notes(relevant, day),
    )
    record_report(session, run_id, facts.id, DEPARTMENT_REPORT, written)
    email = session.scalar(select(Department.contact_email).where(Department.id == facts.id))
    messages = notify.department_messages(
        run_id, facts.code, facts.name, email, get_settings().webhook_url, day, relevant,
        len(items), written.artifact.path.name,
    )  # fmt: skip
    notify.enqueue_all(session, messages)
    return len(items)


def summarize(session: Session, run_id: int, day: date, scope: str) -> dict[str, Any]:
    """The run's counts: changes, laws, departments, items, findings, workbooks, messages."""
    changes = run_changes(session, day, scope)
    reports = session.execute(
        select(Department.code, Report.file_name, Report.rows)
        .join(Department, Report.department_id == Department.id)
        .where(Report.run_id == run_id, Report.kind == DEPARTMENT_REPORT)
        .order_by(Department.id)
    ).all()
    findings = session.scalar(select(func.count()).where(Finding.run_id == run_id)) or 0
    messages = session.scalar(
        select(func.count()).where(
            OutboxMessage.kind == notify.MESSAGE_KIND,
            OutboxMessage.dedup_key.like(f"adjustment:{run_id}:%"),
        )
    )
    return {
        "day": day.isoformat(),
        "changes": len(changes),
        "laws": sorted({c.title for c in changes}),
        "departments": len(reports),
        "items": sum(rows for _, _, rows in reports),
        "findings": findings,
        "workbooks": [name for _, name, _ in reports],
        "messages": messages or 0,
    }


def _now() -> datetime:
    return utcnow().astimezone(ZoneInfo(get_settings().timezone))


def _plan(session: Session, ctx: RunContext) -> list[str]:
    return plan_departments(session, ctx.period.start, ctx.scope)


def _run_unit(session: Session, ctx: RunContext, code: str) -> None:
    review_unit(session, ctx.run_id, ctx.period.start, ctx.scope, code, ctx.reports_dir)


def _finish(session: Session, ctx: RunContext) -> dict[str, Any]:
    return summarize(session, ctx.run_id, ctx.period.start, ctx.scope)


ADJUSTMENT_REVIEW = register(
    JobSpec(
        name=JOB_NAME,
        title=JOB_TITLE,
        check_period=check_period,
        plan=_plan,
        run_unit=_run_unit,
        finish=_finish,
        own_scope=lambda scope: scope_import_id(scope) is not None,
    )
)
