"""Runs (运行): trigger a job for a period, list runs, show one. Status is read from SQL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from powerlist.api.deps import RowId, audit, current_caller, get_engine, not_found
from powerlist.db import session_scope
from powerlist.periods import BadPeriod
from powerlist.runtime.ledger import Claim, RunBusy
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import limits_from
from powerlist.runtime.views import RunView, get_run, list_runs, run_steps
from powerlist.settings import get_settings
from powerlist.tokens import Caller

router = APIRouter(prefix="/api/runs", tags=["runs"])


class TriggerRequest(BaseModel):
    """Parameters of a manual run."""

    job: str = Field(..., max_length=64, examples=["yearly_review"])
    period: str = Field(..., max_length=32, examples=["2026"])
    department: str | None = Field(None, max_length=64, description="One department code.")
    force: bool = Field(False, description="Re-run a finished key, replacing its outputs.")


class RunRefused(ValueError):
    """A trigger the caller may not make, or with parameters that do not fit the job."""

    def __init__(self, code: int, message: str):
        self.code = code
        super().__init__(message)


def visible(view: RunView, caller: Caller) -> bool:
    """Administrators see every run; a department sees city-wide runs and its own."""
    return caller.is_admin or view.scope in ("all", caller.department_code)


def trigger_run(
    engine: Engine, caller: Caller, request: TriggerRequest, background: BackgroundTasks
) -> tuple[RunView, bool]:
    """Create (or find) the run, then queue it or run it after the response; (view, created)."""
    scope = request.department or "all"
    if not caller.is_admin and scope != caller.department_code:
        raise RunRefused(403, "只有管理员可以发起全市或其他部门的运行")
    try:
        claim = start_run(
            engine, request.job, request.period, scope,
            trigger=f"api:{caller.actor}"[:64], force=request.force,
        )  # fmt: skip
    except RunBusy as error:
        raise RunRefused(409, str(error)) from error
    except (KeyError, BadPeriod, ValueError) as error:
        raise RunRefused(422, str(error).strip("'")) from error
    with session_scope(engine) as session:
        view = get_run(session, claim.run_id)
    assert view is not None
    if claim.created:
        _execute(engine, claim, view.job, background)
    audit(
        engine,
        caller,
        "trigger_run",
        "run",
        view.id,
        {"job": view.job, "period": view.period, "scope": view.scope, "force": request.force},
    )
    return view, claim.created


def _execute(engine: Engine, claim: Claim, job: str, background: BackgroundTasks) -> None:
    settings = get_settings()
    if settings.api_run_mode == "queue":
        from tasks.dispatch import BrokerDown, send_first_step  # the Celery edge

        try:
            send_first_step(engine, claim.run_id, claim.generation, job)
        except BrokerDown as error:
            raise RunRefused(503, f"{error}（运行 #{claim.run_id} 已标记为失败）") from error
        return
    background.add_task(
        run_in_process, engine, claim,
        limits=limits_from(settings), reports_root=settings.reports_dir,
    )  # fmt: skip


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def trigger(
    body: TriggerRequest,
    background: BackgroundTasks,
    caller: Caller = Depends(current_caller),
    engine: Engine = Depends(get_engine),
) -> dict[str, Any]:
    """Trigger a job for a period (and one department); answers with the run record."""
    try:
        view, created = trigger_run(engine, caller, body, background)
    except RunRefused as error:
        raise HTTPException(error.code, str(error)) from error
    return {**view.as_json(), "created": created}


@router.get("")
def runs(
    limit: int = 50,
    job: str | None = None,
    caller: Caller = Depends(current_caller),
    engine: Engine = Depends(get_engine),
) -> list[dict[str, Any]]:
    """The newest runs the caller may see, with status and progress."""
    with session_scope(engine) as session:
        views = list_runs(session, limit=max(1, min(limit, 500)), job=job)
    return [v.as_json() for v in views if visible(v, caller)]


@router.get("/{run_id}")
def run(
    run_id: RowId, caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> dict[str, Any]:
    """One run: status, progress, attempts, timings, error and its steps."""
    with session_scope(engine) as session:
        view = get_run(session, run_id)
        steps = run_steps(session, run_id) if view else []
    if view is None or not visible(view, caller):
        raise not_found()
    return {**view.as_json(), "steps": [vars(s) for s in steps]}
