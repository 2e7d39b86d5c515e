"""The job contract: what every job (review, assessment, reminders) gives the runtime.

A job splits a run into units (usually departments or receiving units) so the runtime can
fan out one short task per unit, report progress as units done / total, and retry a unit
alone. Jobs register here; the runtime (run ledger, Celery tasks, CLI `run`) only ever
talks to a `JobSpec`, never to a job's internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from powerlist.periods import Period


@dataclass(frozen=True)
class RunContext:
    """What a job's functions know about the run they work for."""

    run_id: int
    job: str
    period: Period
    scope: str  # "all" or one department/unit code
    reports_dir: Path  # where this run's workbooks go (the runtime creates it)
    attempt: int = 1


@dataclass(frozen=True)
class JobSpec:
    """A job as the runtime sees it.

    - `check_period` validates the period for this job (e.g. a year only) and raises ValueError.
    - `plan` lists the unit keys to work on for (period, scope); an empty list is a valid run.
    - `run_unit` does one unit's work; it must be idempotent (replace its findings, reports,
      reminders for this run and unit, never duplicate them).
    - `plan_then` / `run_then` (optional, together) are a second stage of units that start only
      after every first-stage unit has ended, for work that combines their results, e.g. a
      receiving unit's workbook holding the rows of every delegating department. `plan_then`
      is called in the plan step; `run_then` must be idempotent like `run_unit`.
    - `scope_kind` says what a run's scope names, a department (部门) or a receiving unit
      ("unit", 承接单位); the scope is resolved to a stored code before the run exists.
      `own_scope` accepts the job's own scope texts as they are (the 个别调整's `import-<id>`).
    - `finish` runs once after every unit of both stages has ended (summary workbook…) and
      returns a JSON-able summary stored on the run. A summary with a "skipped" reason
      (e.g. "非工作日") records the run as skipped, not succeeded.
    """

    name: str
    title: str  # Chinese name shown to users, e.g. 年度权责清单审核
    check_period: Callable[[Period], None]
    plan: Callable[[Session, RunContext], list[str]]
    run_unit: Callable[[Session, RunContext, str], None]
    finish: Callable[[Session, RunContext], dict[str, Any]]
    queue: str = "reports"
    plan_then: Callable[[Session, RunContext], list[str]] | None = None
    run_then: Callable[[Session, RunContext, str], None] | None = None
    scope_kind: str = "department"  # what a run's scope names: "department" or "unit"
    own_scope: Callable[[str], bool] | None = None  # scopes of the job's own (import-<id>)

    def __post_init__(self) -> None:
        if (self.plan_then is None) != (self.run_then is None):
            raise ValueError(f"job {self.name!r}: plan_then and run_then go together")


_REGISTRY: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    """Add a job to the registry (idempotent for the same spec)."""
    existing = _REGISTRY.get(spec.name)
    if existing is not None and existing is not spec:
        raise ValueError(f"job {spec.name!r} registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def get_job(name: str) -> JobSpec:
    """The registered job called `name` (KeyError lists the known ones)."""
    _load_builtin_jobs()
    try:
        return _REGISTRY[name.replace("-", "_")]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"unknown job {name!r} (known: {known})") from None


def all_jobs() -> dict[str, JobSpec]:
    """Every registered job by name."""
    _load_builtin_jobs()
    return dict(_REGISTRY)


# Each job module calls `register(...)` at import; add a module here when a job is added.
# Plug-in (and test) jobs are loaded from POWERLIST_EXTRA_JOB_MODULES (comma-separated).
BUILTIN_JOB_MODULES: tuple[str, ...] = (
    "powerlist.review.job",
    "powerlist.assessment.job",
    "powerlist.training.job",
    "powerlist.adjustment.job",
)


def _load_builtin_jobs() -> None:
    import importlib

    from powerlist.settings import get_settings

    extra = [m.strip() for m in get_settings().extra_job_modules.split(",") if m.strip()]
    for module in (*BUILTIN_JOB_MODULES, *extra):
        importlib.import_module(module)
