"""Catch-up (补跑): which periods every schedule entry should already have run for, and starting
the missing ones, so a beat that was down over a due date (or lost its schedule file) loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from powerlist.alerts import raise_alert
from powerlist.runtime import ledger
from powerlist.runtime.ledger import Claim
from powerlist.runtime.views import find_run
from powerlist.runtime.workdays_hook import WorkingDayCheck, fires_on
from schedules.loader import Schedule

CATCH_UP_TRIGGER = "catch-up"


@dataclass(frozen=True)
class Expected:
    """A run the schedule says should exist: job and period, first due at `due_at`."""

    entry: str
    job: str
    period: str
    due_at: datetime


@dataclass
class Reconciliation:
    """What one reconciler pass did."""

    expected: list[Expected] = field(default_factory=list)
    started: list[tuple[Expected, Claim]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


def expected_runs(
    schedule: Schedule, now: datetime, check: WorkingDayCheck | None = None
) -> list[Expected]:
    """Every (job, period) whose fire time lies in the look-back window and is past the grace."""
    local_now = now.astimezone(schedule.zone)
    found: dict[tuple[str, str], Expected] = {}
    for entry in schedule.entries:
        if entry.job is None or entry.period is None or entry.cron is None:
            continue
        for fire in entry.fire_times(local_now - entry.look_back, local_now - schedule.grace):
            if schedule.not_before and fire.date() < schedule.not_before:
                continue
            if not fires_on(fire.date(), entry.runs_on, check):
                continue
            label = entry.period.period_for(fire.date()).label
            found.setdefault((entry.job, label), Expected(entry.name, entry.job, label, fire))
    return sorted(found.values(), key=lambda e: (e.due_at, e.job))


def reconcile(session: Session, expected: list[Expected]) -> Reconciliation:
    """Start expected runs that have no run yet and alert on them; alert on failed ones."""
    result = Reconciliation(expected=list(expected))
    for item in expected:
        run = find_run(session, item.job, item.period, "all")
        if run is None:
            claim = ledger.claim_run(session, item.job, item.period, "all", CATCH_UP_TRIGGER)
            result.started.append((item, claim))
            _alert(result, session, f"missed:{item.job}:{item.period}", item, "未按时运行，已补跑")
        elif run.status in ("failed", "partial"):
            key = f"{run.status}:{item.job}:{item.period}:{run.generation}"
            _alert(result, session, key, item, f"运行 #{run.id} 结果为 {run.status}：{run.error}")
    return result


def _alert(result: Reconciliation, session: Session, key: str, item: Expected, what: str) -> None:
    subject = f"定时任务 {item.job} {item.period} {what.split('：')[0]}"
    body = f"计划于 {item.due_at.isoformat()} 运行的 {item.job}（期间 {item.period}）{what}"
    payload = {"job": item.job, "period": item.period, "due_at": item.due_at.isoformat()}
    if raise_alert(session, key, subject, body, payload):
        result.alerts.append(key)
