"""The ledger's per-step statements, built once with bound parameters.

Every step claims, ends and probes its run with the same few statements. Built anew each time,
SQLAlchemy spends most of such a short statement constructing it and computing its cache key
(~150 µs, against ~20 µs to execute it prepared), a share of each step's fixed cost that grows
with the number of steps. The statements and their SQL are the same as before; only their
values are parameters. Parameter names start with "p_": SQLAlchemy keeps a column's own name
for the SET clause.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, Select, Update, bindparam, func, or_, select, update

from powerlist.models import Run, RunStep

STEPS = RunStep.__table__
RUNS = Run.__table__
OPEN = ("pending", "running")

# One step of a run with its run's generation and status (no row: no such run or step).
STEP_WITH_RUN: Select = (
    select(
        STEPS.c.id,
        STEPS.c.status,
        STEPS.c.owner,
        STEPS.c.attempts,
        STEPS.c.started_at,
        STEPS.c.heartbeat_at,
        RUNS.c.generation.label("run_generation"),
        RUNS.c.status.label("run_status"),
    )
    .join_from(STEPS, RUNS, RUNS.c.id == STEPS.c.run_id)
    .where(STEPS.c.run_id == bindparam("p_run"), STEPS.c.step == bindparam("p_step"))
)

RUN_STATE: Select = select(RUNS.c.generation, RUNS.c.status).where(RUNS.c.id == bindparam("p_run"))
RUN_KEY: Select = select(RUNS.c.id, RUNS.c.job, RUNS.c.period, RUNS.c.scope).where(
    RUNS.c.id == bindparam("p_run")
)

_HELD = (
    STEPS.c.run_id == bindparam("p_run"),
    STEPS.c.step == bindparam("p_step"),
    STEPS.c.owner == bindparam("p_me"),
    STEPS.c.status == "running",
)
BEAT_STEP: Update = update(STEPS).where(*_HELD).values(heartbeat_at=bindparam("p_now"))
BEAT_RUN: Update = (
    update(RUNS).where(RUNS.c.id == bindparam("p_run")).values(heartbeat_at=bindparam("p_now"))
)
END_STEP: Update = (
    update(STEPS)
    .where(*_HELD)
    .values(
        status=bindparam("p_status"),
        error=bindparam("p_error"),
        owner=bindparam("p_owner"),
        finished_at=bindparam("p_finished"),
        heartbeat_at=bindparam("p_now"),
    )
)
END_RUN: Update = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("p_run"))
    .values(
        progress_done=RUNS.c.progress_done + bindparam("p_done", type_=Integer),
        heartbeat_at=bindparam("p_now"),
    )
)


@lru_cache(maxsize=4)
def claim_step_update(give_up: bool, owner_is_null: bool) -> Update:
    """The compare-and-set UPDATE of a claim: the step as it was read (id, status, attempts,
    owner) gets the claimant's values, or is failed when its attempts are used up."""
    owner = STEPS.c.owner.is_(None) if owner_is_null else STEPS.c.owner == bindparam("p_owner")
    guard = update(STEPS).where(
        STEPS.c.id == bindparam("p_id"),
        STEPS.c.status == bindparam("p_status"),
        STEPS.c.attempts == bindparam("p_attempts"),
        owner,
    )
    if give_up:
        return guard.values(
            status="failed",
            error=bindparam("p_error"),
            finished_at=bindparam("p_now"),
            owner=None,
        )
    return guard.values(
        status="running",
        attempts=bindparam("p_attempt"),
        owner=bindparam("p_me"),
        started_at=bindparam("p_now"),
        heartbeat_at=bindparam("p_now"),
    )


@lru_cache(maxsize=4)
def claim_run_update(dialect: str, sets_current: bool) -> Update:
    """The run's side of a claim: running, started (once), beating, its highest attempt and,
    for a unit, the unit it is at."""
    attempt = bindparam("p_attempt", type_=Integer)
    now_type = RUNS.c.started_at.type
    highest = func.max if dialect == "sqlite" else func.greatest
    return (
        update(RUNS)
        .where(RUNS.c.id == bindparam("p_run"), RUNS.c.generation == bindparam("p_generation"))
        .values(
            status="running",
            started_at=func.coalesce(RUNS.c.started_at, bindparam("p_now", type_=now_type)),
            heartbeat_at=bindparam("p_now"),
            attempts=highest(RUNS.c.attempts, attempt),
            current=bindparam("p_current") if sets_current else RUNS.c.current,
        )
    )


@lru_cache(maxsize=8)
def open_unit_probe(prefixes: tuple[str, ...]) -> Select:
    """One pending or running unit step of the stages named by `prefixes`, if any."""
    return (
        select(STEPS.c.id)
        .where(
            STEPS.c.run_id == bindparam("p_run"),
            or_(*(STEPS.c.step.like(f"{prefix}%") for prefix in prefixes)),
            STEPS.c.status.in_(OPEN),
        )
        .limit(1)
    )
