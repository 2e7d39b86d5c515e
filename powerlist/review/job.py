"""The yearly review job (年度权责清单审核) as the runtime sees it.

`plan` lists the departments to review, `run_unit` reviews one department (its findings for
the run are replaced and its workbook rewritten), `finish` writes the city summary. The
same functions run in this process through the runtime's in-process runner (`powerlist run`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from powerlist.adjustment.handled import handled_in_year, handled_note
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import Department, Finding, ItemDecision, PowerItem, Report, Run, utcnow
from powerlist.periods import Period, PeriodKind
from powerlist.regions import codes_in_region, scope_region
from powerlist.review.config import RULE_KEYS, load_config
from powerlist.review.deadlines import deadline_note
from powerlist.review.load import (
    load_department,
    workbook_departments,
    yearly_assessments_exist,
)
from powerlist.review.official_report import (
    ReportFacts,
    opinion_file_name,
    report_file_name,
    write_opinion_letter,
    write_review_report,
)
from powerlist.review.peers import peer_items_for_run
from powerlist.review.proposals import returned_proposals
from powerlist.review.rules import REVIEWED_STATUSES, review_department
from powerlist.review.store import record_report, replace_findings
from powerlist.review.workbooks import (
    NO_ASSESSMENT_NOTE,
    DepartmentTally,
    department_file_name,
    department_label,
    summary_file_name,
    write_department_workbook,
    write_summary_workbook,
)
from powerlist.settings import get_settings
from powerlist.summary import headline_figures, headline_note, successor_of
from powerlist.workdays import UnknownYear, next_working_day

JOB_NAME = "yearly_review"
DEPARTMENT_REPORT = "review_department"
SUMMARY_REPORT = "review_summary"


def check_period(period: Period) -> None:
    """The yearly review runs for a year only (e.g. 2026)."""
    if period.kind is not PeriodKind.YEAR:
        raise ValueError(f"年度审核的期间应为年份（如 2026），而不是 {period.label}")


def review_as_of(period: Period) -> date:
    """The review's reference date: the configured one, else today capped at the year's end."""
    configured = get_settings().review_as_of
    if configured is not None:
        return configured
    today = datetime.now(ZoneInfo(get_settings().timezone)).date()
    return min(today, period.end)


def plan_departments(session: Session, scope: str) -> list[str]:
    """Codes of the departments to review (scope: all, one code, or one region 所属地区).

    An active department is reviewed with the items of departments merged into it (机构改革),
    so 51 liaison officers get 51 workbooks; an inactive department without an active
    successor is reviewed on its own.
    """
    holders = set(session.scalars(select(PowerItem.department_id).distinct()))
    codes = workbook_departments(session, holders)
    if scope == "all":
        return codes
    region = scope_region(scope)
    if region is not None:
        in_region = codes_in_region(session, region)
        return [code for code in codes if code in in_region]
    if scope in codes:
        return [scope]
    known = session.scalar(select(Department).where(Department.code == scope))
    if known is None:
        raise ValueError(f"找不到部门编码“{scope}”")
    successor = session.get(Department, known.merged_into_id) if known.merged_into_id else None
    hint = f"，其事项在{successor.name}（{successor.code}）的审核中" if successor else ""
    raise ValueError(f"部门“{known.name}”没有需要审核的事项{hint}")


def review_unit(
    session: Session, run_id: int, year: int, code: str, reports_dir: Path, as_of: date
) -> int:
    """Review one department: replace its findings for the run, write its workbook + Report row.

    The department row is locked (PostgreSQL) so a retried unit and a late duplicate cannot
    interleave their replace-findings steps.
    """
    session.execute(select(Department.id).where(Department.code == code).with_for_update())
    config = load_config()
    facts = load_department(session, code, year, peer_items_for_run(session, run_id))
    drafts = review_department(facts, config, as_of)
    replace_findings(session, run_id, facts.id, drafts)
    label = department_label(facts.name, facts.short_name, facts.level)
    written = write_department_workbook(
        reports_dir / department_file_name(year, label),
        facts,
        drafts,
        config,
        run_id=run_id,
        year=year,
        as_of=as_of,
        generated_at=_now(),
        returned=returned_proposals(session, facts.id, year),
        extra_notes=handled_note(
            handled_in_year(session, [facts.id, *(p.id for p in facts.predecessors)], year)
        ),
    )
    record_report(session, run_id, facts.id, DEPARTMENT_REPORT, written)
    return len(drafts)


def summarize(
    session: Session, run_id: int, year: int, reports_dir: Path, as_of: date
) -> dict[str, Any]:
    """Write the city summary workbook for the run and return the run's counts."""
    config = load_config()
    run = session.get_one(Run, run_id)
    _prune_departments_left_out(session, run_id, plan_departments(session, run.scope))
    tallies = department_tallies(session, run_id)
    available = yearly_assessments_exist(session)
    notes = [headline_note(headline_figures(session)["city"]), deadline_note(run)]
    notes += [] if available else [NO_ASSESSMENT_NOTE]
    written = write_summary_workbook(
        reports_dir / summary_file_name(year, scope_region(run.scope)),
        tallies,
        config,
        run_id=run_id,
        year=year,
        as_of=as_of,
        generated_at=_now(),
        notes=notes,
    )
    record_report(session, run_id, None, SUMMARY_REPORT, written)
    settings = get_settings()
    facts = ReportFacts(
        year=year,
        as_of=as_of,
        signed_on=_now().date(),
        tallies=tallies,
        summary_file=written.artifact.path.name,
        issuer=settings.review_report_issuer,
        number=settings.review_report_number,
        recipients=settings.review_report_recipients,
    )
    report = write_review_report(reports_dir / report_file_name(year), facts, config)
    due = _working_days_after(facts.signed_on, settings.review_return_working_days)
    for tally in tallies:
        if tally.file_name:
            target = reports_dir / opinion_file_name(tally.file_name)
            write_opinion_letter(target, facts, tally, due, config)
    by_rule: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for tally in tallies:
        by_rule.update(tally.by_rule)
        by_severity.update(tally.by_severity)
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "departments": len(tallies),
        "workbooks": len(tallies) + 1,
        "findings": sum(by_rule.values()),
        "by_rule": {k: by_rule[k] for k in RULE_KEYS if by_rule[k]},
        "by_severity": dict(by_severity),
        "not_returned": [t.code for t in tallies if not t.returned],
        "rules_without_data": [] if available else ["poor_delegation"],
        "summary_file": written.artifact.path.name,
        "report_file": report.path.name,
    }


def _prune_departments_left_out(session: Session, run_id: int, codes: list[str]) -> None:
    """Drop findings and report rows of departments this run no longer plans (a re-run)."""
    kept = select(Department.id).where(Department.code.in_(codes))
    session.execute(
        delete(Finding).where(Finding.run_id == run_id, Finding.department_id.not_in(kept))
    )
    session.execute(
        delete(Report).where(
            Report.run_id == run_id,
            Report.kind == DEPARTMENT_REPORT,
            Report.department_id.not_in(kept),
        )
    )


def department_tallies(session: Session, run_id: int) -> list[DepartmentTally]:
    """Per department of the run: items, findings by rule and severity, decisions returned."""
    reports = session.execute(
        select(Report.department_id, Report.file_name, Department.code, Department.name)
        .join(Department, Report.department_id == Department.id)
        .where(Report.run_id == run_id, Report.kind == DEPARTMENT_REPORT)
        .order_by(Department.id)
    ).all()
    rules: dict[int, Counter[str]] = defaultdict(Counter)
    severities: dict[int, Counter[str]] = defaultdict(Counter)
    for department_id, rule, severity, count in session.execute(
        select(Finding.department_id, Finding.rule, Finding.severity, func.count())
        .where(Finding.run_id == run_id)
        .group_by(Finding.department_id, Finding.rule, Finding.severity)
    ):
        rules[department_id][rule] += count
        severities[department_id][severity] += count
    flagged = dict(
        session.execute(
            select(Finding.department_id, func.count(func.distinct(Finding.item_id)))
            .where(Finding.run_id == run_id)
            .group_by(Finding.department_id)
        ).all()
    )
    owner = successor_of(
        {
            row.id: (row.merged_into_id, bool(row.active))
            for row in session.execute(
                select(Department.id, Department.merged_into_id, Department.active)
            )
        }
    )
    items: Counter[int] = Counter()
    for department_id, count in session.execute(
        select(PowerItem.department_id, func.count())
        .where(PowerItem.status.in_(sorted(REVIEWED_STATUSES)))
        .group_by(PowerItem.department_id)
    ):
        items[owner[department_id]] += count  # a merged department's items are its successor's
    returned = set(
        session.scalars(select(ItemDecision.department_id).where(ItemDecision.run_id == run_id))
    )
    return [
        DepartmentTally(
            code=code,
            name=name,
            items=items.get(department_id, 0),
            items_with_findings=flagged.get(department_id, 0),
            by_rule=dict(rules[department_id]),
            by_severity=dict(severities[department_id]),
            returned=department_id in returned,
            file_name=file_name,
        )
        for department_id, file_name, code, name in reports
    ]


def _working_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (holidays and 调休 from the workday calendar);
    in a year whose holidays are not known yet, Monday to Friday."""
    for _ in range(count):
        try:
            day = next_working_day(day)
        except UnknownYear:
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
    return day


def _now() -> datetime:
    return utcnow().astimezone(ZoneInfo(get_settings().timezone))


def _plan(session: Session, ctx: RunContext) -> list[str]:
    return plan_departments(session, ctx.scope)


def _run_unit(session: Session, ctx: RunContext, code: str) -> None:
    year = ctx.period.start.year
    review_unit(session, ctx.run_id, year, code, ctx.reports_dir, review_as_of(ctx.period))


def _finish(session: Session, ctx: RunContext) -> dict[str, Any]:
    year = ctx.period.start.year
    return summarize(session, ctx.run_id, year, ctx.reports_dir, review_as_of(ctx.period))


YEARLY_REVIEW = register(
    JobSpec(
        name=JOB_NAME,
        title="年度权责清单审核",
        check_period=check_period,
        plan=_plan,
        run_unit=_run_unit,
        finish=_finish,
    )
)
