"""Start, unit and finish tasks: claim in the run ledger, execute one step, dispatch the next."""

from __future__ import annotations

import logging
from typing import Any

from powerlist.db import default_engine, session_scope
from powerlist.models import Run, utcnow
from powerlist.periods import BadPeriod, PeriodKind, parse_period
from powerlist.runtime import ledger
from powerlist.runtime.ledger import FINISH, PLAN
from powerlist.runtime.steps import execute_step
from powerlist.runtime.workdays_hook import fires_on, working_day_check
from powerlist.settings import get_settings
from schedules.loader import load_schedule
from tasks.dispatch import follow_up, limits_from
from workers.app import app

log = logging.getLogger(__name__)
NON_WORKING_DAY = "非工作日"


def start(
    job: str | None,
    *,
    period: str | None = None,
    scope: str = "all",
    trigger: str = "api",
    force: bool = False,
    entry: str | None = None,
    run_id: int | None = None,
    generation: int | None = None,
) -> dict[str, Any]:
    """Claim the run (unless given), then execute its plan step and fan out its units."""
    engine = default_engine()
    if run_id is None or generation is None:
        if entry is not None:
            job, period, works, daily = _from_schedule(entry)
            if not works:
                log.info("%s %s：跳过：非工作日", entry, period)
                if not daily:  # a later candidate day of the same period will run it
                    return {"skipped": f"{entry} {period}：跳过：非工作日"}
                with session_scope(engine) as session:  # the day itself is skipped: say so
                    claim = ledger.record_skipped(
                        session, job, period, trigger, NON_WORKING_DAY, utcnow()
                    )
                return {"skipped": f"{entry} {period}：跳过：非工作日", "run_id": claim.run_id}
        if job is None or period is None:
            raise ValueError("a start task needs job and period, an entry, or a run id")
        with session_scope(engine) as session:
            claim = ledger.claim_run(
                session, job, _label(period), scope or "all", trigger, force=force
            )
        run_id, generation = claim.run_id, claim.generation
    return _execute(run_id, generation, PLAN)


def _label(period: str) -> str:
    try:
        return parse_period(period).label
    except BadPeriod:
        return period  # kept as given: the plan step fails the run with the parse error


def _from_schedule(name: str) -> tuple[str, str, bool, bool]:
    """(job, period, whether it runs today, whether the period is the fire day itself) for a
    beat dispatch of entry `name`, derived from its own fire time."""
    settings = get_settings()
    schedule = load_schedule(timezone=settings.timezone)
    entry = schedule.entry(name)
    assert entry.job is not None and entry.period is not None
    fire = entry.last_fire(utcnow().astimezone(schedule.zone))
    works = fires_on(fire.date(), entry.runs_on, working_day_check())
    daily = entry.period.kind is PeriodKind.DAY and entry.period.offset == 0
    return entry.job, entry.period.period_for(fire.date()).label, works, daily


@app.task(name="powerlist.start_run")
def start_run(job: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """Start (or continue) a run of any registered job."""
    return start(job, **kwargs)


@app.task(name="powerlist.yearly_review")
def yearly_review(**kwargs: Any) -> dict[str, Any]:
    """年度权责清单审核: start the yearly review run for a year."""
    return start("yearly_review", **kwargs)


@app.task(name="powerlist.delegation_assessment")
def delegation_assessment(**kwargs: Any) -> dict[str, Any]:
    """下放/委托事项评估: start the delegation assessment for a quarter or a year."""
    return start("delegation_assessment", **kwargs)


@app.task(name="powerlist.training_reminders")
def training_reminders(**kwargs: Any) -> dict[str, Any]:
    """培训与考试提醒: start the reminders run for a day."""
    return start("training_reminders", **kwargs)


@app.task(name="powerlist.adjustment_review")
def adjustment_review(**kwargs: Any) -> dict[str, Any]:
    """个别调整审核: start the review of the items a day's (or one import's) law changes touch."""
    return start("adjustment_review", **kwargs)


@app.task(name="powerlist.run_unit")
def run_unit(run_id: int, generation: int, step: str) -> dict[str, Any]:
    """Execute one unit step (e.g. one department's workbook) of a run."""
    return _execute(run_id, generation, step)


@app.task(name="powerlist.finish_run")
def finish_run(run_id: int, generation: int) -> dict[str, Any]:
    """Execute a run's finish step (summary) and record its outcome."""
    return _execute(run_id, generation, FINISH)


def _execute(run_id: int, generation: int, step: str) -> dict[str, Any]:
    """Execute one step here and dispatch what follows it."""
    settings = get_settings()
    engine = default_engine()
    limits, root = limits_from(settings), settings.reports_dir
    outcome = execute_step(engine, run_id, generation, step, limits=limits, reports_root=root)
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        job = run.job if run is not None else "?"
    follow_up(run_id, generation, job, step, outcome)
    return {"run_id": run_id, "step": step, "decision": outcome.decision.value}
