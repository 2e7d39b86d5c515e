"""Read-only views of the run ledger for the CLI and the HTTP API (status is read from SQL).

Core queries on powerlist.tables, not the ORM: `powerlist runs list` and `runs show` stay
fast to start (the ORM and the models are not imported). Callers pass a Session or a
Connection; both execute Core statements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from powerlist.coltypes import utcnow
from powerlist.tables import reports, runs
from powerlist.tables import run_steps as steps_table

if TYPE_CHECKING:
    from powerlist.tables import Reader


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


def _runs_query() -> Select[Any]:
    """The columns of a RunView, named as its fields."""
    return select(
        runs.c.id,
        runs.c.job,
        runs.c.period,
        runs.c.scope,
        runs.c.status,
        runs.c.trigger,
        runs.c.progress_done.label("done"),
        runs.c.progress_total.label("total"),
        runs.c.current,
        runs.c.attempts,
        runs.c.generation,
        runs.c.created_at,
        runs.c.started_at,
        runs.c.heartbeat_at,
        runs.c.finished_at,
        runs.c.error,
        runs.c.summary,
    )


def _views(reader: Reader, query: Select[Any]) -> list[RunView]:
    return [RunView(**row) for row in reader.execute(query).mappings()]


def get_run(reader: Reader, run_id: int) -> RunView | None:
    """The run with this id, if any."""
    found = _views(reader, _runs_query().where(runs.c.id == run_id))
    return found[0] if found else None


def find_run(reader: Reader, job: str, period: str, scope: str) -> RunView | None:
    """The run for a key, if any."""
    query = _runs_query().where(runs.c.job == job, runs.c.period == period, runs.c.scope == scope)
    found = _views(reader, query)
    return found[0] if found else None


def list_runs(reader: Reader, *, limit: int = 50, job: str | None = None) -> list[RunView]:
    """The newest runs first."""
    query = _runs_query().order_by(runs.c.created_at.desc(), runs.c.id.desc()).limit(limit)
    if job:
        query = query.where(runs.c.job == job)
    return _views(reader, query)


def run_steps(reader: Reader, run_id: int) -> list[StepView]:
    """The steps of a run in plan order."""
    rows = reader.execute(
        select(
            steps_table.c.step,
            steps_table.c.status,
            steps_table.c.attempts,
            steps_table.c.owner,
            steps_table.c.error,
        )
        .where(steps_table.c.run_id == run_id)
        .order_by(steps_table.c.position, steps_table.c.id)
    )
    return [StepView(*row) for row in rows]


def run_report_files(reader: Reader, run_id: int) -> list[str]:
    """Paths of the workbooks a run wrote (its Report rows), in the order they were written."""
    rows = reader.execute(
        select(reports.c.path).where(reports.c.run_id == run_id).order_by(reports.c.id)
    )
    return [path for (path,) in rows]
