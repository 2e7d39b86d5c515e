"""Deadlines of an adjustment round (动态调整时限) and reminders to departments that are late.

A round starts when its review run is created. Departments return their 部门意见 within
`proposal_due_working_days` working days (default 20) and the reviewing office its 审核意见
within `verdict_due_working_days` more, counted on the working-day calendar (法定节假日 and 调休
from `powerlist.workdays`). On working days from five days before the due date, each department
with a workbook but no 部门意见 gets one reminder per day in the outbox; pending proposals past
the 审核意见 due date raise one alert per day to the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import Department, ItemDecision, Report, Run
from powerlist.outbox.store import NewMessage, enqueue, enqueue_alert
from powerlist.settings import get_settings
from powerlist.vocab import ProposalState
from powerlist.workdays import UnknownYear, is_working_day, next_working_day

DEPARTMENT_REPORT = "review_department"
WARN_DAYS_BEFORE = 5


@dataclass(frozen=True)
class RoundDeadlines:
    """When a round started and when 部门意见 and 审核意见 are due."""

    started_on: date
    proposals_due: date
    verdicts_due: date


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself not counted)."""
    day = start
    for _ in range(count):
        day = next_working_day(day)
    return day


def round_deadlines(run: Run) -> RoundDeadlines:
    """The due dates of the round a review run opened (from its creation day, local time)."""
    settings = get_settings()
    started = run.created_at.astimezone(ZoneInfo(settings.timezone)).date()
    proposals_due = add_working_days(started, settings.proposal_due_working_days)
    return RoundDeadlines(
        started, proposals_due, add_working_days(proposals_due, settings.verdict_due_working_days)
    )


def deadline_note(run: Run) -> str:
    """The summary's line on the round's due dates (or why they cannot be computed)."""
    try:
        due = round_deadlines(run)
    except UnknownYear as error:
        return f"无法计算部门意见截止日期：{error}"
    return (
        f"部门意见截止日期 {due.proposals_due.isoformat()}（{due.started_on.isoformat()}起"
        f"{get_settings().proposal_due_working_days}个工作日），"
        f"审核意见截止日期 {due.verdicts_due.isoformat()}"
    )


def departments_not_returned(session: Session, run_id: int) -> list[Department]:
    """Departments the run wrote a workbook for that have returned no 部门意见 in it."""
    returned = select(ItemDecision.department_id).where(ItemDecision.run_id == run_id)
    return list(
        session.scalars(
            select(Department)
            .join(Report, Report.department_id == Department.id)
            .where(Report.run_id == run_id, Report.kind == DEPARTMENT_REPORT)
            .where(Department.id.not_in(returned))
            .order_by(Department.code)
        )
    )


@dataclass(frozen=True)
class RemindOutcome:
    """What one reminder pass did."""

    working_day: bool
    late: list[str]
    reminded: list[str]
    no_address: list[str]
    office_alerted: bool


def remind_late(session: Session, run_id: int, today: date) -> RemindOutcome:
    """Enqueue today's reminders for the round (nothing on a non-working day; idempotent)."""
    if not is_working_day(today):
        return RemindOutcome(False, [], [], [], False)
    run = session.get_one(Run, run_id)
    due = round_deadlines(run)
    late = departments_not_returned(session, run_id)
    reminded: list[str] = []
    no_address: list[str] = []
    if today >= due.proposals_due - timedelta(days=WARN_DAYS_BEFORE):
        overdue = today > due.proposals_due
        for department in late:
            if not department.contact_email:
                no_address.append(department.code)
                continue
            subject = (
                f"【{'已逾期' if overdue else '即将到期'}】{run.period}年度权责清单部门意见"
                f"请于{due.proposals_due.isoformat()}前回传"
            )
            body = (
                f"{department.name}：贵单位的{run.period}年度权责清单审核工作簿尚未回传部门意见，"
                f"截止日期为{due.proposals_due.isoformat()}"
                f"{'，现已逾期' if overdue else ''}。请在门户下载工作簿，填写“部门意见”后上传。"
            )
            made = enqueue(session, NewMessage(
                f"proposal-reminder:{run_id}:{department.code}:{today.isoformat()}", "reminder",
                "smtp", department.contact_email, subject, body,
                {"run_id": run_id, "department": department.code,
                 "due": due.proposals_due.isoformat()},
            ))  # fmt: skip
            if made is not None:
                reminded.append(department.code)
    pending = session.scalar(
        select(ItemDecision.id)
        .where(ItemDecision.run_id == run_id, ItemDecision.state == ProposalState.PENDING.value)
        .limit(1)
    )
    alerted = False
    if pending is not None and today > due.verdicts_due:
        alerted = bool(enqueue_alert(
            session, f"verdicts-overdue:{run_id}:{today.isoformat()}",
            f"{run.period}年度权责清单审核意见已逾期",
            f"运行 {run_id} 仍有待审核的部门意见，"
            f"审核意见截止日期为{due.verdicts_due.isoformat()}。"
            "请运行 powerlist decisions review 生成审核意见工作簿。",
        ))  # fmt: skip
    return RemindOutcome(True, [d.code for d in late], reminded, no_address, alerted)


ROUND_JOBS = ("yearly_review", "adjustment_review")
"""Jobs whose runs open an adjustment round (年度审核, 个别调整)."""
OPEN_ROUND_DAYS = 120


def remind_open_rounds(session: Session, today: date) -> dict[str, Any]:
    """Today's reminders for every round opened in the last 120 days (what beat runs daily).

    A round whose dates fall in a year the calendar does not know is reported, not guessed;
    the November calendar check has already alerted about that year.
    """
    since = datetime.combine(today - timedelta(days=OPEN_ROUND_DAYS), time(), tzinfo=UTC)
    rounds = session.scalars(
        select(Run).where(Run.job.in_(ROUND_JOBS), Run.created_at >= since).order_by(Run.id)
    ).all()
    reminded: list[str] = []
    errors: list[str] = []
    working = True
    for run in rounds:
        try:
            outcome = remind_late(session, run.id, today)
        except UnknownYear as error:
            errors.append(f"运行 {run.id}：{error}")
            continue
        working = outcome.working_day
        reminded += [f"{run.id}:{code}" for code in outcome.reminded]
    return {"rounds": len(rounds), "working_day": working, "reminded": reminded, "errors": errors}
