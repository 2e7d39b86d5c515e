"""Executing one step of a run (plan, one unit of either stage, finish) for any door: worker
or in-process.

A step's database writes and its "done" mark commit in one transaction; if the claim was lost
meanwhile (the step was taken over), the writes roll back. The caller dispatches the returned
next steps (a Celery message each, or a loop in-process).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from powerlist.artifacts import remove_stale_temps
from powerlist.db import session_scope
from powerlist.jobs import JobSpec, RunContext, get_job
from powerlist.models import Run, RunStep, utcnow
from powerlist.periods import parse_period
from powerlist.private_files import private_folder
from powerlist.runtime import ledger, prepared
from powerlist.runtime.ledger import FINISH, PLAN, THEN_PREFIX, UNIT_PREFIX, Decision
from powerlist.runtime.owners import current_owner
from powerlist.runtime.scope import is_path_safe
from powerlist.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Attempts cap, lease and heartbeat period, retry backoff (from settings)."""

    max_attempts: int = 3
    lease: float = 120.0
    heartbeat: float = 10.0
    backoff_max: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retrying after failed attempt number `attempt`."""
        return min(float(2**attempt), self.backoff_max)


def limits_from(settings: Settings) -> Limits:
    """The step limits configured by the settings (retries always wait less than the VT)."""
    return Limits(
        max_attempts=settings.max_attempts,
        lease=settings.lease_seconds,
        heartbeat=settings.heartbeat_seconds,
        backoff_max=min(settings.retry_backoff_max, settings.visibility_timeout / 2),
    )


@dataclass
class StepOutcome:
    """What happened to a step delivery and what to dispatch next."""

    decision: Decision
    attempt: int = 0
    next_steps: list[str] = field(default_factory=list)
    retry_in: float | None = None
    error: str | None = None


class ClaimLost(RuntimeError):
    """The step was taken over while this process worked on it; its writes roll back."""


class PermanentError(RuntimeError):
    """An error retrying cannot fix (unknown job, bad period): the run fails at once."""


def execute_step(
    engine: Engine,
    run_id: int,
    generation: int,
    step: str,
    *,
    limits: Limits,
    reports_root: Path,
    me: str | None = None,
) -> StepOutcome:
    """Claim `step` of run `run_id` and run it; never raises for job errors (they are recorded)."""
    me = me or current_owner()
    with session_scope(engine) as session:
        if step == FINISH and ledger.has_open_unit(session, run_id):
            return StepOutcome(Decision.SKIP)  # a unit is still open; its end dispatches finish
        if step.startswith(THEN_PREFIX) and ledger.has_open_unit(session, run_id, [UNIT_PREFIX]):
            return StepOutcome(Decision.SKIP)  # too early: the last first-stage unit sends it
        decision, attempt = ledger.claim_step(
            session,
            run_id,
            generation,
            step,
            me=me,
            now=utcnow(),
            max_attempts=limits.max_attempts,
            lease=limits.lease,
        )
    if decision is Decision.SKIP:
        log.info("run %s step %s: skipped (done, or claimed by a live worker)", run_id, step)
        return StepOutcome(decision, attempt)
    if decision is Decision.GIVE_UP:
        log.error("run %s step %s: gave up after %s attempts", run_id, step, attempt)
        return _after_failure(engine, run_id, generation, step, attempt, "attempts exhausted")
    return _run_claimed(engine, run_id, generation, step, attempt, limits, reports_root, me)


def _run_claimed(
    engine: Engine,
    run_id: int,
    generation: int,
    step: str,
    attempt: int,
    limits: Limits,
    reports_root: Path,
    me: str,
) -> StepOutcome:
    try:
        with (
            heartbeating(engine, run_id, step, me=me, every=limits.heartbeat),
            session_scope(engine) as session,
        ):
            job, context = _job_and_context(session, run_id, reports_root, attempt)
            _do_step(session, job, context, step)
            if not ledger.end_step(session, run_id, step, me=me, now=utcnow(), status="done"):
                raise ClaimLost(f"run {run_id} step {step} was taken over")
    except ClaimLost as lost:
        log.warning("%s", lost)
        return StepOutcome(Decision.SKIP, attempt)
    except Exception as error:
        return _handle_error(engine, run_id, generation, step, attempt, limits, me, error)
    return StepOutcome(Decision.TAKE, attempt, _next_after(engine, run_id, generation, step))


def _job_and_context(
    session: Session, run_id: int, reports_root: Path, attempt: int
) -> tuple[JobSpec, RunContext]:
    # The columns only (a prepared statement): the run's entity (summary, error…) is not needed.
    run = session.execute(prepared.RUN_KEY, {"p_run": run_id}).one()
    try:
        job = get_job(run.job)
        period = parse_period(run.period)
        job.check_period(period)
    except (KeyError, ValueError) as error:
        raise PermanentError(str(error).strip("'\"")) from error
    if not is_path_safe(run.scope):  # start_run resolves scopes; a row written otherwise stops
        raise PermanentError(f"范围“{run.scope[:40]}”不能用作文件夹名")
    folder = reports_root / job.name / period.label / run.scope
    private_folder(folder)
    context = RunContext(run.id, job.name, period, run.scope, folder, attempt)
    return job, context


def _do_step(session: Session, job: JobSpec, context: RunContext, step: str) -> None:
    if step == PLAN:
        units = job.plan(session, context)
        then = job.plan_then(session, context) if job.plan_then is not None else []
        ledger.add_units(session, context.run_id, units, then)
    elif step == FINISH:
        counts = ledger.unit_counts(session, context.run_id)
        remove_stale_temps(context.reports_dir)  # every unit has ended: no writer is active
        summary = job.finish(session, context)
        skipped = summary.get("skipped") if isinstance(summary, dict) else None
        status = "skipped" if skipped else ledger.outcome_status(counts)
        error = (
            None if status in ("succeeded", "skipped") else _unit_errors(session, context.run_id)
        )
        ledger.complete_run(
            session,
            context.run_id,
            _generation(session, context.run_id),
            status=status,
            now=utcnow(),
            summary=summary,
            error=error,
        )
    elif step.startswith(THEN_PREFIX):
        if job.run_then is None:
            raise PermanentError(f"job {job.name} has no second stage (step {step})")
        job.run_then(session, context, step.removeprefix(THEN_PREFIX))
    else:
        job.run_unit(session, context, step.removeprefix(UNIT_PREFIX))


def _generation(session: Session, run_id: int) -> int:
    run = session.get(Run, run_id)
    assert run is not None
    return run.generation


def _unit_errors(session: Session, run_id: int) -> str:
    rows = session.execute(
        select(RunStep.step, RunStep.error).where(
            RunStep.run_id == run_id, RunStep.status == "failed"
        )
    ).all()
    return "\n".join(f"{ledger.work_key(name)}: {error}" for name, error in rows)


def _handle_error(
    engine: Engine,
    run_id: int,
    generation: int,
    step: str,
    attempt: int,
    limits: Limits,
    me: str,
    error: Exception,
) -> StepOutcome:
    text = f"{type(error).__name__}: {error}"
    detail = traceback.format_exc(limit=8)
    log.error("run %s step %s attempt %s failed: %s", run_id, step, attempt, text)
    retry = not isinstance(error, PermanentError) and attempt < limits.max_attempts
    with session_scope(engine) as session:
        ledger.end_step(
            session,
            run_id,
            step,
            me=me,
            now=utcnow(),
            status="pending" if retry else "failed",
            error=detail,
        )
    if retry:
        return StepOutcome(Decision.TAKE, attempt, [], limits.backoff(attempt), text)
    return _after_failure(engine, run_id, generation, step, attempt, text)


def _after_failure(
    engine: Engine, run_id: int, generation: int, step: str, attempt: int, text: str
) -> StepOutcome:
    if ledger.is_work_step(step):
        nxt = _next_after(engine, run_id, generation, step)
        return StepOutcome(Decision.GIVE_UP, attempt, nxt, None, text)
    with session_scope(engine) as session:
        stored = session.execute(
            select(RunStep.error).where(RunStep.run_id == run_id, RunStep.step == step)
        ).scalar_one_or_none()
        ledger.complete_run(
            session,
            run_id,
            generation,
            status="failed",
            now=utcnow(),
            error=f"{step}: {text}\n{stored or ''}".strip(),
        )
    return StepOutcome(Decision.GIVE_UP, attempt, [], None, text)


def _next_after(engine: Engine, run_id: int, generation: int, step: str) -> list[str]:
    """After `step` ended (committed): the units to start, the second stage once every
    first-stage unit ended, or finish once every unit of both stages ended."""
    with session_scope(engine) as session:
        run = session.execute(prepared.RUN_STATE, {"p_run": run_id}).one_or_none()
        if run is None or run.generation != generation or run.status in ledger.TERMINAL:
            return []
        if step == FINISH:
            return []
        if step.startswith(UNIT_PREFIX) and ledger.has_open_unit(session, run_id, [UNIT_PREFIX]):
            return []  # first-stage units still open: the last of them moves on
        if not step.startswith(THEN_PREFIX):  # plan, or the last first-stage unit
            first = ledger.open_units(session, run_id, UNIT_PREFIX) if step == PLAN else []
            following = first or ledger.open_units(session, run_id, THEN_PREFIX)
            if following:
                return following
        return [] if ledger.has_open_unit(session, run_id) else [FINISH]


@contextmanager
def heartbeating(
    engine: Engine, run_id: int, step: str, *, me: str, every: float
) -> Iterator[None]:
    """Refresh the step's lease every `every` seconds from a background thread while working."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with session_scope(engine) as session:
                    ledger.heartbeat(session, run_id, step, me=me, now=utcnow())
            except Exception as error:  # a missed beat is not fatal; the lease is generous
                log.warning("heartbeat of run %s step %s failed: %s", run_id, step, error)

    thread = threading.Thread(target=beat, name=f"heartbeat-{run_id}-{step}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
