"""The training_reminders job (培训考试提醒): one run per working day, one unit per task.

plan lists the receiving units with staff; run_unit records and enqueues that unit's due
reminder stages and writes its roster workbook; finish delivers the outbox and writes the
city summary. On a day that is not a working day nothing is sent; on a year whose holidays
are unknown the run fails with UnknownYear and an alert is enqueued.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from powerlist.db import session_scope
from powerlist.excel import TableSheet, WorkbookInfo
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import ReceivingUnit, Reminder, Report, Staff
from powerlist.outbox.delivery import RetryPolicy, deliver_pending
from powerlist.outbox.senders import senders_from
from powerlist.outbox.store import enqueue_alert
from powerlist.periods import Period, PeriodKind
from powerlist.settings import get_settings
from powerlist.training import reports, workbooks
from powerlist.training.config import training_config
from powerlist.training.roster import UnitRoster, ensure_requirements, load_unit_roster
from powerlist.training.send import send_unit_reminders
from powerlist.training.summary import escalations_until
from powerlist.workdays import UnknownYear, is_working_day

log = logging.getLogger(__name__)

JOB = "training_reminders"
TITLE = "培训考试提醒"
ROSTER_KIND = "training_roster"
CITY_KIND = "training_city"


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
    """Receiving units (by code) with active staff; none on a day that is not a working day."""
    if not working_day_or_alert(session, ctx.period.start):
        return []
    has_staff = exists().where(Staff.unit_id == ReceivingUnit.id, Staff.active.is_(True))
    query = select(ReceivingUnit.code).where(ReceivingUnit.active.is_(True), has_staff)
    if ctx.scope != "all":
        query = query.where(ReceivingUnit.code == ctx.scope)
    codes = list(session.scalars(query.order_by(ReceivingUnit.code)))
    if ctx.scope != "all" and not codes:
        raise ValueError(f"没有编码为 {ctx.scope} 且有在职人员的承接单位")
    return codes


def run_unit(session: Session, ctx: RunContext, code: str) -> None:
    """Send one unit's due reminder stages and write its roster workbook."""
    today = ctx.period.start
    config = training_config()
    ids = ensure_requirements(session, config)
    roster = _roster(session, code, today, ids)
    if working_day_or_alert(session, today):
        counts = send_unit_reminders(
            session, roster, today, config, ids, get_settings().webhook_url
        )
        log.info("unit %s: %s reminders, %s messages", code, counts.reminders, counts.messages)
    info = workbooks.roster_info(today.isoformat(), roster.name, config.stages)
    tables = [reports.roster_table(roster), reports.hours_table(roster)]
    target = ctx.reports_dir / f"{roster.code}_{roster.name}_培训考试花名册.xlsx"
    _record_report(session, ctx, ROSTER_KIND, roster.unit_id, target, info, tables)


def finish(session: Session, ctx: RunContext) -> dict[str, Any]:
    """Deliver the outbox, write the city summary; counts of what the day sent."""
    today = ctx.period.start
    working = working_day_or_alert(session, today)
    summary: dict[str, Any] = {"day": today.isoformat(), "working_day": working}
    if not working:
        return summary
    settings = get_settings()
    policy = RetryPolicy.from_settings(settings)
    delivered = deliver_pending(session.get_bind().engine, senders_from(settings), policy)
    codes = plan(session, ctx)
    ids = ensure_requirements(session, training_config())
    rosters = [_roster(session, code, today, ids) for code in codes]
    stages: dict[str, int] = {}
    for (stage,) in session.execute(select(Reminder.stage).where(Reminder.sent_on == today)):
        stages[stage] = stages.get(stage, 0) + 1
    tables = [
        reports.unit_summary_table(rosters),
        reports.department_summary_table(rosters),
        reports.overdue_table(rosters, today),
        reports.escalation_table(escalations_until(session, today)),
    ]
    info = workbooks.city_info(today.isoformat(), ctx.scope)
    target = ctx.reports_dir / f"全市培训考试汇总_{today.isoformat()}.xlsx"
    _record_report(session, ctx, CITY_KIND, None, target, info, tables)
    summary.update(
        units=len(rosters),
        reminders=sum(stages.values()),
        escalations=stages.get("escalation", 0),
        stages=stages,
        delivered=delivered.sent,
        retrying=delivered.retrying,
        failed=delivered.failed,
        workbooks=len(rosters) + 1,
    )
    return summary


def _roster(session: Session, code: str, today: date, ids: dict[str, int]) -> UnitRoster:
    unit = session.scalar(select(ReceivingUnit).where(ReceivingUnit.code == code))
    if unit is None:
        raise ValueError(f"没有编码为 {code} 的承接单位")
    return load_unit_roster(session, unit, today, training_config(), ids)


def _record_report(
    session: Session,
    ctx: RunContext,
    kind: str,
    unit_id: int | None,
    target: Path,
    info: WorkbookInfo,
    tables: list[TableSheet],
) -> None:
    written = workbooks.write_tables(target, info, tables)
    session.execute(
        delete(Report).where(
            Report.run_id == ctx.run_id,
            Report.kind == kind,
            Report.unit_id.is_(None) if unit_id is None else Report.unit_id == unit_id,
        )
    )
    session.add(
        Report(
            run_id=ctx.run_id,
            unit_id=unit_id,
            kind=kind,
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
    )
)
