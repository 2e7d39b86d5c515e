"""Read-only views of the run ledger for the CLI and the HTTP API (status is read from SQL)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import Report, Run, RunStep, utcnow


@dataclass(frozen=True)
class RunView:
    """One run as users see it: key, status, progress, attempts, timings, trigger, error."""

    id: int
    job: str
    period: str
    scope: str
    status: str
    trigger: str
    done: int
    total: int
    current: str | None
    attempts: int
    generation: int
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    error: str | None
    summary: dict[str, Any] | None

    @property
    def elapsed_seconds(self) -> float:
        """Seconds from start to finish (or to now while running)."""
        if self.started_at is None:
            return 0.0
        return ((self.finished_at or utcnow()) - self.started_at).total_seconds()

    @property
    def finished(self) -> bool:
        """Whether the run has an outcome (succeeded, failed, partial or skipped)."""
        return self.status in ("succeeded", "failed", "partial", "skipped")

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict (timestamps as ISO 8601 strings)."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        data["elapsed_seconds"] = round(self.elapsed_seconds, 3)
        return data


@dataclass(frozen=True)
class StepView:
    """One step of a run: name, status, attempts, owner, error."""

    step: str
    status: str
    attempts: int
    owner: str | None
    error: str | None


def view_of(run: Run) -> RunView:
    """The view of a Run row."""
    return RunView(
        id=run.id,
        job=run.job,
        period=run.period,
        scope=run.scope,
        status=run.status,
        trigger=run.trigger,
        done=run.progress_done,
        total=run.progress_total,
        current=run.current,
        attempts=run.attempts,
        generation=run.generation,
        created_at=run.created_at,
        started_at=run.started_at,
        heartbeat_at=run.heartbeat_at,
        finished_at=run.finished_at,
        error=run.error,
        summary=run.summary,
    )


def get_run(session: Session, run_id: int) -> RunView | None:
    """The run with this id, if any."""
    run = session.get(Run, run_id)
    return None if run is None else view_of(run)


def find_run(session: Session, job: str, period: str, scope: str) -> RunView | None:
    """The run for a key, if any."""
    run = session.execute(
        select(Run).where(Run.job == job, Run.period == period, Run.scope == scope)
    ).scalar_one_or_none()
    return None if run is None else view_of(run)


def list_runs(session: Session, *, limit: int = 50, job: str | None = None) -> list[RunView]:
    """The newest runs first."""
    query = select(Run).order_by(Run.created_at.desc(), Run.id.desc()).limit(limit)
    if job:
        query = query.where(Run.job == job)
    return [view_of(run) for run in session.execute(query).scalars()]


def run_steps(session: Session, run_id: int) -> list[StepView]:
    """The steps of a run in plan order."""
    rows = session.execute(
        select(RunStep).where(RunStep.run_id == run_id).order_by(RunStep.position, RunStep.id)
    ).scalars()
    return [StepView(r.step, r.status, r.attempts, r.owner, r.error) for r in rows]


def run_report_files(session: Session, run_id: int) -> list[str]:
    """Paths of the workbooks a run wrote (its Report rows), in the order they were written."""
    rows = session.execute(select(Report.path).where(Report.run_id == run_id).order_by(Report.id))
    return [path for (path,) in rows]
