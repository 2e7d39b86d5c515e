"""The training_reminders job (培训考试提醒): one run per working day, 50 units per task.

plan lists the receiving units with staff in ranges of 50 codes (or the one unit in scope);
run_unit records and enqueues those units' due reminder stages and writes each roster workbook
whose content changed (the others are reused); finish delivers the outbox and writes the city
summary. On a day that is not a working day nothing is sent; on a year whose holidays
are unknown the run fails with UnknownYear and an alert is enqueued.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, exists, func, select, text
from sqlalchemy.orm import Session

from powerlist.artifacts import write_atomic
from powerlist.db import session_scope
from powerlist.excel import TableSheet, WorkbookInfo
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import OutboxMessage, ReceivingUnit, Reminder, Report, Staff
from powerlist.outbox.delivery import RetryPolicy, deliver_pending
from powerlist.outbox.senders import senders_from
from powerlist.outbox.store import enqueue_alert
from powerlist.periods import Period, PeriodKind
from powerlist.regions import scope_region
from powerlist.runtime.ranges import key_filter, range_keys
from powerlist.settings import get_settings
from powerlist.training import reports, workbooks
from powerlist.training.config import training_config
from powerlist.training.digest import enqueue_escalation_digests
from powerlist.training.reports import CityTables
from powerlist.training.roster import ensure_requirements, load_rosters
from powerlist.training.roster_files import record_rosters, reuse_counts
from powerlist.training.send import send_reminders
from powerlist.training.summary import escalations_of_year
from powerlist.workdays import UnknownYear, is_working_day

log = logging.getLogger(__name__)

JOB = "training_reminders"
TITLE = "培训考试提醒"
NON_WORKING_DAY = "非工作日"
CITY_KIND = "training_city"
UNITS_PER_STEP = 50
PARTS_DIR = "_city_parts"
ANALYZE_AFTER_ROWS = 1_000  # reminders recorded in a day above which the finish runs ANALYZE


def check_period(period: Period) -> None:
    """The job runs for one day (2026-10-08); anything else is an error."""
    if period.kind is not PeriodKind.DAY:
        raise ValueError(f"{TITLE}按日运行：期间应为 2026-10-08 这样的日期，而不是 {period.label}")


def working_day_or_alert(session: Session, day: date) -> bool:
    """Whether `day` is a working day; for an unknown year, enqueue an alert and raise."""
    try:
        return is_working_day(day)
    except UnknownYear as error:
        with session_scope(session.get_bind().engine) as alert_session:
            enqueue_alert(alert_session, f"unknown-year:{day.year}", "节假日数据缺失", str(error))
        log.error("%s", error)
        raise


def plan(session: Session, ctx: RunContext) -> list[str]:
    """Plan keys: ranges of 50 units with active staff (`u00001..u00050`), or the one unit in
    scope; none on a day that is not a working day.

    A range amortises the per-step cost (ledger claim, heartbeat, a Celery round trip) and lets
    a step load its units' rosters in a handful of queries.
    """
    if not working_day_or_alert(session, ctx.period.start):
        return []
    # counts an earlier generation of this run left behind (a --force re-run) are not this one's
    shutil.rmtree(ctx.reports_dir / PARTS_DIR, ignore_errors=True)
    return plan_keys(session, ctx.scope)


def plan_keys(session: Session, scope: str) -> list[str]:
    """The plan keys for `scope`: ranges of UNITS_PER_STEP unit codes, or the one unit."""
    codes = unit_codes(session, scope)
    if scope != "all" and scope_region(scope) is None:
        if not codes:
            raise ValueError(f"没有编码为 {scope} 且有在职人员的承接单位")
        return codes
    return range_keys(codes, UNITS_PER_STEP)


def unit_codes(session: Session, scope: str) -> list[str]:
    """Codes of the active receiving units with active staff (all, or the one in scope)."""
    query = _units_query()
    region = scope_region(scope)
    if region is not None:
        query = query.where(ReceivingUnit.district == region)
    elif scope != "all":
        query = query.where(ReceivingUnit.code == scope)
    return [unit.code for unit in session.scalars(query)]


def run_unit(session: Session, ctx: RunContext, key: str) -> None:
    """For the units of a plan key: send their due reminder stages, write or reuse rosters."""
    today = ctx.period.start
    config = training_config()
    ids = ensure_requirements(session, config)
    units = units_of(session, key)
    rosters = load_rosters(session, units, today, config, ids)
    if working_day_or_alert(session, today):
        counts = send_reminders(session, rosters, today, config, ids)
        log.info("units %s: %s reminders, %s messages", key, counts.reminders, counts.messages)
    outcome = record_rosters(session, ctx, rosters, config.stages)
    log.info("units %s: %s rosters written, %s reused", key, outcome.written, outcome.reused)
    city = CityTables(today)
    for roster in rosters:
        city.add(roster)
    text = city.to_json()
    write_atomic(_part_file(ctx, key), lambda temp: temp.write_text(text, encoding="utf-8"))


def _part_file(ctx: RunContext, key: str) -> Path:
    """Where a unit step leaves its units' counts for the city summary (finish reads them)."""
    return ctx.reports_dir / PARTS_DIR / f"{key}.json"


def units_of(session: Session, key: str) -> list[ReceivingUnit]:
    """The units a plan key stands for: a range `first..last` of codes, or one code."""
    units = list(session.scalars(_units_query().where(key_filter(ReceivingUnit.code, key))))
    if not units:
        raise ValueError(f"没有编码为 {key} 的承接单位")
    return units


def finish(session: Session, ctx: RunContext) -> dict[str, Any]:
    """Deliver the outbox, write the city summary; counts of what the day sent.

    Each unit step left its units' counts in a small JSON file (PARTS_DIR), so the rosters are
    not loaded a second time (a step without its file is counted from the database, 50 units
    at a time); the day's reminders are counted by one grouped query.
    """
    today = ctx.period.start
    working = working_day_or_alert(session, today)
    summary: dict[str, Any] = {"day": today.isoformat(), "working_day": working}
    if not working:  # recorded as skipped (已跳过), never as the day's success
        return {**summary, "skipped": NON_WORKING_DAY}
    settings = get_settings()
    digests = enqueue_escalation_digests(session, today, settings.webhook_url)
    session.commit()  # the digests are in the outbox before delivery reads it
    policy = RetryPolicy.from_settings(settings)
    delivered = deliver_pending(session.get_bind().engine, senders_from(settings), policy)
    config = training_config()
    ids = ensure_requirements(session, config)
    city = CityTables(today)
    for key in plan_keys(session, ctx.scope):
        part = _part_file(ctx, key)
        if part.is_file():  # the step's own counts: no second load of its rosters
            city.merge(CityTables.from_json(part.read_text(encoding="utf-8"), today))
            continue
        for roster in load_rosters(session, units_of(session, key), today, config, ids):
            city.add(roster)  # a step that failed: count its units from the database
    stages = dict(
        session.execute(
            select(Reminder.stage, func.count())
            .where(Reminder.sent_on == today)
            .group_by(Reminder.stage)
        ).all()
    )
    tables = [
        city.unit_table(),
        city.department_table(),
        city.overdue_table(),
        reports.escalation_table(escalations_of_year(session, today)),
    ]
    info = workbooks.city_info(today.isoformat(), ctx.scope)
    target = ctx.reports_dir / f"全市培训考试汇总_{today.isoformat()}.xlsx"
    _record_city(session, ctx, target, info, tables)
    rosters = reuse_counts(session, ctx)
    if sum(stages.values()) >= ANALYZE_AFTER_ROWS:
        refresh_job_statistics(session)
    summary.update(
        units=len(city.unit_rows),
        reminders=sum(stages.values()),
        escalations=stages.get("escalation", 0),
        escalation_digests=digests,
        stages=stages,
        delivered=delivered.sent,
        retrying=delivered.retrying,
        failed=delivered.failed,
        workbooks=rosters.written + 1,
        rosters_written=rosters.written,
        rosters_reused=rosters.reused,
    )
    return summary


def refresh_job_statistics(session: Session) -> None:
    """ANALYZE (PostgreSQL) the tables a day's run grows: reminders, outbox, reports.

    Where autovacuum is off or behind, the planner keeps estimates from before the day's rows
    (a first day records ~730,000 reminders at province scale): the next day's already-sent
    lookup then scanned the whole table, 60 ms a step instead of 8 ms.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(m.__tablename__ for m in (Reminder, OutboxMessage, Report))
    session.execute(text(f"ANALYZE {tables}"))


def _units_query() -> Select[tuple[ReceivingUnit]]:
    has_staff = exists().where(Staff.unit_id == ReceivingUnit.id, Staff.active.is_(True))
    return (
        select(ReceivingUnit)
        .where(ReceivingUnit.active.is_(True), has_staff)
        .order_by(ReceivingUnit.code)
    )


def _record_city(
    session: Session,
    ctx: RunContext,
    target: Path,
    info: WorkbookInfo,
    tables: list[TableSheet],
) -> None:
    written = workbooks.write_tables(target, info, tables)
    session.execute(
        delete(Report).where(
            Report.run_id == ctx.run_id, Report.kind == CITY_KIND, Report.unit_id.is_(None)
        )
    )
    session.add(
        Report(
            run_id=ctx.run_id,
            unit_id=None,
            kind=CITY_KIND,
            file_name=target.name,
            path=str(written.path),
            sha256=written.sha256,
            bytes=written.bytes,
            rows=written.total_rows,
        )
    )


SPEC = register(
    JobSpec(
        name=JOB,
        title=TITLE,
        check_period=check_period,
        plan=plan,
        run_unit=run_unit,
        finish=finish,
        scope_kind="unit",
    )
)
