"""Reaping (回收): runs whose heartbeat stopped get their unfinished steps dispatched again.

A step claimed by a dead process, or a run whose messages were lost (broker restart, a crash
between claim and dispatch), would otherwise stay queued or running forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from powerlist.models import Run, RunStep
from powerlist.runtime.ledger import ACTIVE
from powerlist.runtime.owners import owner_is_dead


@dataclass(frozen=True)
class Redispatch:
    """Steps of one run to send to the workers again."""

    run_id: int
    generation: int
    job: str
    steps: list[str]


def reap(session: Session, now: datetime, lease: float) -> list[Redispatch]:
    """Find active runs that went silent (or hold dead claims) and reserve them for re-dispatch."""
    cutoff = now - timedelta(seconds=lease)
    found: list[Redispatch] = []
    runs = session.execute(select(Run).where(Run.status.in_(ACTIVE)).order_by(Run.id)).scalars()
    for run in list(runs):
        steps = list(
            session.execute(
                select(RunStep).where(RunStep.run_id == run.id).order_by(RunStep.position)
            ).scalars()
        )
        last = run.heartbeat_at or run.created_at
        dead = [s.step for s in steps if _dead(s, cutoff)]
        # A silent run, or one with a dead step (its driver may have died with it, e.g. an
        # in-process runner), also gets its pending steps sent; duplicates are harmless.
        orphaned = last < cutoff or bool(dead)
        chosen = [s.step for s in steps if s.step in dead or (orphaned and s.status == "pending")]
        if chosen and _reserve(session, run, last, now):
            found.append(Redispatch(run.id, run.generation, run.job, chosen))
    return found


def _dead(step: RunStep, cutoff: datetime) -> bool:
    if step.status != "running":
        return False
    beat = step.heartbeat_at or step.started_at
    return owner_is_dead(step.owner) or beat is None or beat < cutoff


def _reserve(session: Session, run: Run, seen: datetime, now: datetime) -> bool:
    """Compare-and-set the run's heartbeat so two reapers never both re-dispatch it."""
    column = Run.heartbeat_at if run.heartbeat_at is not None else Run.created_at
    return (
        session.execute(
            update(Run)
            .where(Run.id == run.id, Run.generation == run.generation, column == seen)
            .values(heartbeat_at=now)
        ).rowcount
        == 1
    )
