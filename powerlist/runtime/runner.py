"""Starting runs from any door, and running a whole run in this process (the embedded default).

Both the in-process runner and a queued run create the same run record through `start_run`;
the in-process runner then executes the steps itself, in plan order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.errors import UserError
from powerlist.jobs import JobSpec, all_jobs, get_job
from powerlist.models import RunStep
from powerlist.periods import parse_period
from powerlist.runtime import ledger
from powerlist.runtime.ledger import FINISH, PLAN, THEN_PREFIX, UNIT_PREFIX, Claim
from powerlist.runtime.scope import resolve_scope
from powerlist.runtime.steps import Limits, execute_step
from powerlist.runtime.views import RunView, get_run

ProgressCallback = Callable[[RunView], None]


def checked_job(job: str) -> JobSpec:
    """The registered job called `job` (yearly-review or yearly_review); UserError otherwise."""
    try:
        return get_job(job)
    except KeyError:
        known = "、".join(
            f"{name.replace('_', '-')}（{spec.title}）" for name, spec in sorted(all_jobs().items())
        )
        raise UserError(f"没有任务“{job[:40]}”：可用的任务有 {known}") from None


def checked_key(job: str, period: str, scope: str) -> tuple[str, str, str]:
    """Validate a run key before anything is written: the job exists, the period fits it.

    The scope is only trimmed here; `start_run` resolves it against the database.
    """
    spec = checked_job(job)
    try:
        parsed = parse_period(period)
        spec.check_period(parsed)
    except UserError:
        raise  # already a person's mistake with its own type (e.g. a bad configuration file)
    except ValueError as error:
        raise UserError(str(error)) from error
    return spec.name, parsed.label, scope.strip() or "all"


def start_run(
    engine: Engine, job: str, period: str, scope: str, *, trigger: str, force: bool = False
) -> Claim:
    """Create (or find, or with `force` reset) the run for a key; UserError on a bad key.

    Job, period and scope (a department or unit code or name) are all checked before the run
    exists, so a refused key leaves no run and no folder behind.
    """
    name, label, scope = checked_key(job, period, scope)
    with session_scope(engine) as session:
        spec = get_job(name)
        own = spec.own_scope is not None and spec.own_scope(scope)
        code = scope if own else resolve_scope(session, spec.scope_kind, scope)
        return ledger.claim_run(session, name, label, code, trigger, force=force)


def remaining_steps(engine: Engine, run_id: int) -> list[str]:
    """The steps still to execute for a run: plan, or its open units (first stage, then the
    second) and finish."""
    with session_scope(engine) as session:
        plan = session.execute(
            select(RunStep.status).where(RunStep.run_id == run_id, RunStep.step == PLAN)
        ).scalar_one_or_none()
        if plan in (None, "pending", "running"):
            return [PLAN]
        return [
            *ledger.open_units(session, run_id, UNIT_PREFIX),
            *ledger.open_units(session, run_id, THEN_PREFIX),
            FINISH,
        ]


def run_in_process(
    engine: Engine,
    claim: Claim,
    *,
    limits: Limits,
    reports_root: Path,
    on_progress: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunView:
    """Execute every remaining step of a claimed run here, reporting progress after each."""
    queue = remaining_steps(engine, claim.run_id)
    while queue:
        step = queue.pop(0)
        outcome = execute_step(
            engine, claim.run_id, claim.generation, step, limits=limits, reports_root=reports_root
        )
        if outcome.retry_in is not None:
            sleep(outcome.retry_in)
            queue.insert(0, step)
        queue.extend(s for s in outcome.next_steps if s not in queue)
        if on_progress is not None:
            on_progress(_view(engine, claim.run_id))
    return _view(engine, claim.run_id)


def _view(engine: Engine, run_id: int) -> RunView:
    with session_scope(engine) as session:
        view = get_run(session, run_id)
    assert view is not None
    return view
