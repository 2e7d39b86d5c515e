"""Housekeeping tasks run by beat: catch-up (补跑), reaping (回收), delivery, calendar checks and
adjustment-round reminders (动态调整催办)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from powerlist.adjustment.trigger import catch_up as adjustment_catch_up_runs
from powerlist.db import default_engine as session_engine
from powerlist.db import session_scope
from powerlist.models import utcnow
from powerlist.outbox.delivery import RetryPolicy, deliver_pending
from powerlist.outbox.senders import senders_from
from powerlist.review.deadlines import remind_open_rounds
from powerlist.runtime import catchup
from powerlist.runtime.ledger import PLAN
from powerlist.runtime.reaper import reap as reap_runs
from powerlist.runtime.workdays_hook import working_day_check
from powerlist.settings import get_settings
from powerlist.training.alerts import alert_calendar_coverage
from schedules.loader import load_schedule
from tasks.dispatch import send_steps
from workers.app import app


@app.task(name="powerlist.reconcile")
def reconcile() -> dict[str, Any]:
    """Start every expected run that is missing, and alert on missing or failed ones."""
    schedule = load_schedule(known_tasks=set(app.tasks), timezone=get_settings().timezone)
    expected = catchup.expected_runs(schedule, utcnow(), working_day_check())
    with session_scope() as session:
        result = catchup.reconcile(session, expected)
    for item, claim in result.started:
        send_steps(claim.run_id, claim.generation, item.job, [PLAN])
    return {
        "expected": len(result.expected),
        "started": [f"{item.job}:{item.period}" for item, _ in result.started],
        "alerts": result.alerts,
    }


@app.task(name="powerlist.adjustment_catch_up")
def adjustment_catch_up() -> dict[str, Any]:
    """Start the 个别调整 run of every recent law change set whose run did not start."""
    today = datetime.now(ZoneInfo(get_settings().timezone)).date()
    with session_scope() as session:
        started = adjustment_catch_up_runs(session, today)
    for item in started:
        send_steps(item.claim.run_id, item.claim.generation, "adjustment_review", [PLAN])
    return {"started": [f"{item.day}:import-{item.import_id}" for item in started]}


@app.task(name="powerlist.reap")
def reap() -> dict[str, Any]:
    """Re-dispatch the unfinished steps of runs whose heartbeat stopped."""
    with session_scope() as session:
        found = reap_runs(session, utcnow(), get_settings().lease_seconds)
    for item in found:
        send_steps(item.run_id, item.generation, item.job, item.steps)
    return {"reaped": [{"run_id": r.run_id, "steps": r.steps} for r in found]}


@app.task(name="powerlist.deliver_outbox")
def deliver_outbox() -> dict[str, int]:
    """Send due outbox messages (reminders, escalations, alerts) and retries whose wait is over."""
    settings = get_settings()
    counts = deliver_pending(
        session_engine(), senders_from(settings), RetryPolicy.from_settings(settings)
    )
    return {"sent": counts.sent, "retrying": counts.retrying, "failed": counts.failed}


@app.task(name="powerlist.adjustment_reminders")
def adjustment_reminders() -> dict[str, Any]:
    """Remind departments late with their 部门意见, and the office late with its 审核意见."""
    with session_scope() as session:
        today = datetime.now(ZoneInfo(get_settings().timezone)).date()
        return remind_open_rounds(session, today)


@app.task(name="powerlist.check_calendar")
def check_calendar() -> str | None:
    """In November and December, alert (once a week) when next year's holidays are unknown."""
    with session_scope() as session:
        today = datetime.now(ZoneInfo(get_settings().timezone)).date()
        return alert_calendar_coverage(session, today)


@app.task(name="powerlist.purge")
def purge() -> dict[str, int]:
    """Delete data past its retention period (发件箱、提醒、审计、离岗人员、旧报表文件)."""
    from powerlist.retention import purge_now

    results = purge_now(get_settings(), utcnow())
    return {r.kind: r.rows for r in results} | {f"{r.kind}_files": r.files for r in results}
