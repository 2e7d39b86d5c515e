"""The run ledger (运行台账): claiming runs and their steps atomically, progress, attempts, outcome.

A run is keyed by (job, period, scope). Its steps ("plan", "unit:<code>", "then:<key>" for jobs
with a second stage, and "finish") are claimed with a compare-and-set UPDATE, so a second
delivery of the same step (two beats, a redelivered message, a double click) does nothing while
the first claim is alive, and takes over when the owner is provably dead. Attempts per step are
capped so a step that kills its worker stops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Update, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from powerlist.models import Run, RunStep, utcnow
from powerlist.runtime import prepared
from powerlist.runtime.owners import owner_is_dead

PLAN = "plan"
FINISH = "finish"
UNIT_PREFIX = "unit:"
THEN_PREFIX = "then:"  # second-stage units: they start once every first-stage unit has ended
WORK_PREFIXES = (UNIT_PREFIX, THEN_PREFIX)

ACTIVE = ("queued", "running")
TERMINAL = ("succeeded", "failed", "partial", "skipped")


class Decision(StrEnum):
    """What a delivery of a step should do."""

    TAKE = "take"  # run it
    SKIP = "skip"  # done, or alive elsewhere: do nothing
    GIVE_UP = "give_up"  # attempts used up: fail the step


class RunBusy(RuntimeError):
    """A forced re-run of a run that is still queued or running."""


@dataclass(frozen=True)
class Claim:
    """The run a dispatch refers to, and whether this dispatch created (or reset) it."""

    run_id: int
    generation: int
    created: bool
    status: str


def unit_step(unit: str) -> str:
    """The step name of one unit (department, receiving unit…)."""
    return f"{UNIT_PREFIX}{unit}"


def then_step(key: str) -> str:
    """The step name of one second-stage unit."""
    return f"{THEN_PREFIX}{key}"


def is_work_step(step_name: str) -> bool:
    """Whether a step is a unit of either stage (counted in progress, may fail alone)."""
    return step_name.startswith(WORK_PREFIXES)


def work_key(step_name: str) -> str:
    """The unit key of a unit step of either stage (`unit:D03` → `D03`)."""
    for prefix in WORK_PREFIXES:
        if step_name.startswith(prefix):
            return step_name.removeprefix(prefix)
    return step_name


def claim_run(
    session: Session, job: str, period: str, scope: str, trigger: str, *, force: bool = False
) -> Claim:
    """Create the run for (job, period, scope) or return the existing one; `force` resets a
    finished run (same id, next generation) so its outputs are replaced, never duplicated."""
    try:
        with session.begin_nested():
            run = Run(job=job, period=period, scope=scope, trigger=trigger, status="queued")
            session.add(run)
            session.flush()
            session.add(RunStep(run_id=run.id, step=PLAN, position=0))
            session.flush()
        return Claim(run.id, run.generation, True, run.status)
    except IntegrityError:
        pass
    run = session.execute(
        select(Run).where(Run.job == job, Run.period == period, Run.scope == scope)
    ).scalar_one()
    if not force:
        return Claim(run.id, run.generation, False, run.status)
    return _reset(session, run, trigger)


def record_skipped(
    session: Session, job: str, period: str, trigger: str, reason: str, now: datetime
) -> Claim:
    """Record the city-wide run of (job, period) as skipped (已跳过) with `reason`, e.g. a day
    that is not a working day; an existing run of the key is left as it is."""
    claim = claim_run(session, job, period, "all", trigger)
    if claim.created:
        session.execute(
            update(RunStep)
            .where(RunStep.run_id == claim.run_id, RunStep.step == PLAN)
            .values(status="done", finished_at=now, heartbeat_at=now)
        )
        session.execute(update(Run).where(Run.id == claim.run_id).values(started_at=now))
        complete_run(
            session, claim.run_id, claim.generation, status="skipped", now=now,
            summary={"skipped": reason},
        )  # fmt: skip
    return claim


def _reset(session: Session, run: Run, trigger: str) -> Claim:
    if run.status in ACTIVE:
        state = _status_zh(run.status)
        raise RunBusy(f"运行 #{run.id} 正在{state}，不能强制重跑（等它结束或被回收）")
    changed = session.execute(
        update(Run)
        .where(Run.id == run.id, Run.generation == run.generation, Run.status.in_(TERMINAL))
        .values(
            generation=Run.generation + 1,
            status="queued",
            trigger=trigger,
            progress_done=0,
            progress_total=0,
            current=None,
            attempts=0,
            summary=None,
            error=None,
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
            created_at=utcnow(),
        )
    ).rowcount
    if changed != 1:
        raise RunBusy(f"运行 #{run.id} 刚被另一个请求重置")
    session.execute(delete(RunStep).where(RunStep.run_id == run.id))
    session.add(RunStep(run_id=run.id, step=PLAN, position=0))
    session.flush()
    session.refresh(run)
    return Claim(run.id, run.generation, True, run.status)


def _status_zh(status: str) -> str:
    return {"queued": "排队", "running": "运行"}.get(status, status)


class StepState(Protocol):
    """What a claim decides on: a step's row (a `RunStep`, or the row the claim reads)."""

    @property
    def status(self) -> str: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def heartbeat_at(self) -> datetime | None: ...


def decide(step: StepState, *, me: str, now: datetime, max_attempts: int, lease: float) -> Decision:
    """Whether a delivery by `me` should run, skip or give up on `step` (pure decision)."""
    if step.status in ("done", "failed"):
        return Decision.SKIP
    if step.status == "running" and _alive(step, me=me, now=now, lease=lease):
        return Decision.SKIP
    if step.attempts >= max_attempts:
        return Decision.GIVE_UP
    return Decision.TAKE


def _alive(step: StepState, *, me: str, now: datetime, lease: float) -> bool:
    if step.owner == me or owner_is_dead(step.owner):
        return False
    beat = step.heartbeat_at or step.started_at
    return beat is not None and now - beat < timedelta(seconds=lease)


def claim_step(
    session: Session,
    run_id: int,
    generation: int,
    step_name: str,
    *,
    me: str,
    now: datetime,
    max_attempts: int,
    lease: float,
) -> tuple[Decision, int]:
    """Atomically claim one step for `me`; returns the decision and the attempt number.

    The step and its run are read in one statement; the updates do not refresh objects the
    session already holds (the claim is the session's only business).
    """
    found = session.execute(prepared.STEP_WITH_RUN, {"p_run": run_id, "p_step": step_name}).first()
    if found is None:  # no such run, or no such step of it
        return Decision.SKIP, 0
    step = found
    if step.run_generation != generation or step.run_status in TERMINAL:
        return Decision.SKIP, 0
    decision = decide(step, me=me, now=now, max_attempts=max_attempts, lease=lease)
    if decision is Decision.SKIP:
        return decision, step.attempts
    guard = {
        "p_id": step.id,
        "p_status": step.status,
        "p_attempts": step.attempts,
        "p_owner": step.owner,
    }
    claim = partial(prepared.claim_step_update, owner_is_null=step.owner is None)
    if decision is Decision.GIVE_UP:
        error = (
            f"步骤 {step_name} 已尝试 {step.attempts} 次，每次都未完成"
            f"（worker lost / 进程被杀或超时）；已停止重试"
        )
        values = {**guard, "p_error": error, "p_now": now}
        won = _update(session, claim(give_up=True), values) == 1
        return (Decision.GIVE_UP if won else Decision.SKIP), step.attempts
    attempt = step.attempts + 1
    values = {**guard, "p_attempt": attempt, "p_me": me, "p_now": now}
    if _update(session, claim(give_up=False), values) != 1:
        return Decision.SKIP, attempt  # another delivery won this claim (its attempt)
    current = work_key(step_name) if is_work_step(step_name) else None
    run_update = prepared.claim_run_update(session.get_bind().dialect.name, current is not None)
    _update(
        session,
        run_update,
        {
            "p_run": run_id,
            "p_generation": generation,
            "p_now": now,
            "p_attempt": attempt,
            "p_current": current,
        },
    )
    return Decision.TAKE, attempt


def _update(session: Session, statement: Update, values: dict[str, Any]) -> int:
    """Run one of the ledger's prepared UPDATEs (`prepared`: built once, so a step does not
    pay for constructing them); returns the number of rows changed. Being statements on the
    tables, they do not refresh ORM objects the session holds."""
    return session.execute(statement, values).rowcount  # type: ignore[attr-defined]


def heartbeat(session: Session, run_id: int, step_name: str, *, me: str, now: datetime) -> bool:
    """Refresh the lease of a step `me` holds (and its run); False if the claim was lost.

    Like every ledger update here, objects the session holds are not refreshed."""
    values = {"p_run": run_id, "p_step": step_name, "p_me": me, "p_now": now}
    held = _update(session, prepared.BEAT_STEP, values)
    if held:
        _update(session, prepared.BEAT_RUN, values)
    return bool(held)


def end_step(
    session: Session,
    run_id: int,
    step_name: str,
    *,
    me: str,
    now: datetime,
    status: str,
    error: str | None = None,
) -> bool:
    """Mark a step `me` holds as done, failed or pending (for a retry); False if not held.

    The step's and run's objects loaded in the session, if any, are not refreshed: the
    runtime ends a step as the last thing its transaction does."""
    ended = status in ("done", "failed")
    values: dict[str, Any] = {
        "p_run": run_id,
        "p_step": step_name,
        "p_me": me,
        "p_status": status,
        "p_error": error,
        "p_owner": me if ended else None,
        "p_finished": now if ended else None,
        "p_now": now,
    }
    changed = _update(session, prepared.END_STEP, values)
    # One more unit done: an atomic increment, not a recount of every step (O(units) per unit).
    done = 1 if changed == 1 and status == "done" and is_work_step(step_name) else 0
    _update(session, prepared.END_RUN, {**values, "p_done": done})
    return changed == 1


def add_units(session: Session, run_id: int, units: list[str], then: Sequence[str] = ()) -> None:
    """Record the planned units of both stages (and the finish step) of a run and its
    progress total (units of both stages)."""
    existing = set(
        session.execute(select(RunStep.step).where(RunStep.run_id == run_id)).scalars().all()
    )
    names = [unit_step(unit) for unit in units] + [then_step(key) for key in then]
    for position, name in enumerate(names, start=1):
        if name not in existing:
            session.add(RunStep(run_id=run_id, step=name, position=position))
    if FINISH not in existing:
        session.add(RunStep(run_id=run_id, step=FINISH, position=len(names) + 1))
    session.flush()
    session.execute(update(Run).where(Run.id == run_id).values(progress_total=len(names)))


def _with_prefix(prefixes: Sequence[str]) -> ColumnElement[bool]:
    return or_(*(RunStep.step.like(f"{prefix}%") for prefix in prefixes))


def unit_counts(session: Session, run_id: int) -> dict[str, int]:
    """How many unit steps (of both stages) of a run are in each status."""
    rows = session.execute(
        select(RunStep.status, func.count())
        .where(RunStep.run_id == run_id, _with_prefix(WORK_PREFIXES))
        .group_by(RunStep.status)
    ).all()
    return {status: count for status, count in rows}


def has_open_unit(session: Session, run_id: int, prefixes: Sequence[str] = WORK_PREFIXES) -> bool:
    """Whether any unit step (of the stages given by `prefixes`) is still pending or running
    (one probe, no list)."""
    probe = prepared.open_unit_probe(tuple(prefixes))
    return session.execute(probe, {"p_run": run_id}).first() is not None


def open_units(session: Session, run_id: int, prefix: str = UNIT_PREFIX) -> list[str]:
    """Unit steps of one stage (`unit:` or `then:`) not done or failed yet, in plan order."""
    return list(
        session.execute(
            select(RunStep.step)
            .where(
                RunStep.run_id == run_id,
                RunStep.step.like(f"{prefix}%"),
                RunStep.status.in_(("pending", "running")),
            )
            .order_by(RunStep.position)
        )
        .scalars()
        .all()
    )


def complete_run(
    session: Session,
    run_id: int,
    generation: int,
    *,
    status: str,
    now: datetime,
    summary: dict | None = None,
    error: str | None = None,
) -> bool:
    """Record a run's outcome (succeeded, partial, failed, skipped) once; False if already ended."""
    return (
        session.execute(
            update(Run)
            .where(Run.id == run_id, Run.generation == generation, Run.status.in_(ACTIVE))
            .values(
                status=status,
                summary=summary,
                error=error,
                finished_at=now,
                heartbeat_at=now,
                current=None,
            )
        ).rowcount
        == 1
    )


def outcome_status(counts: dict[str, int]) -> str:
    """succeeded when every unit is done, failed when none is, partial otherwise."""
    failed = counts.get("failed", 0)
    done = counts.get("done", 0)
    if failed == 0:
        return "succeeded"
    return "partial" if done else "failed"
