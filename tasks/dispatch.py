"""Sending run steps to the workers: one message per step, on the job's queue."""

from __future__ import annotations

from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.jobs import get_job
from powerlist.models import utcnow
from powerlist.runtime.ledger import FINISH, PLAN, complete_run
from powerlist.runtime.steps import StepOutcome, limits_from
from powerlist.settings import get_settings

__all__ = ["BrokerDown", "follow_up", "limits_from", "queue_for", "send_first_step", "send_steps"]

BROKER_DOWN = "消息队列（Redis）不可达，运行未能排队；请检查 Redis 后重新发起"


class BrokerDown(RuntimeError):
    """The broker did not answer within the health timeout; the run was marked failed."""


START_TASKS = {
    "yearly_review": "powerlist.yearly_review",
    "delegation_assessment": "powerlist.delegation_assessment",
    "training_reminders": "powerlist.training_reminders",
    "adjustment_review": "powerlist.adjustment_review",
}


def queue_for(job: str) -> str:
    """The queue a job's steps go to (reports when the job is unknown: its run fails fast)."""
    try:
        logical = get_job(job).queue
    except KeyError:
        logical = "reports"
    return get_settings().queue_for(logical)


def send_steps(
    run_id: int,
    generation: int,
    job: str,
    steps: list[str],
    countdown: float | None = None,
    retry: bool = True,
) -> None:
    """Send one message per step; a duplicate message is harmless (the claim decides)."""
    from workers.app import app  # late: workers.app imports the task modules, which import this

    queue = queue_for(job)
    for step in steps:
        if step == PLAN:
            task, args = START_TASKS.get(job, "powerlist.start_run"), []
            kwargs = {"run_id": run_id, "generation": generation}
            if task == "powerlist.start_run":
                kwargs["job"] = job
        elif step == FINISH:
            task, args, kwargs = "powerlist.finish_run", [run_id, generation], {}
        else:
            task, args, kwargs = "powerlist.run_unit", [run_id, generation, step], {}
        app.send_task(task, args=args, kwargs=kwargs, queue=queue, countdown=countdown, retry=retry)


def send_first_step(engine: Engine, run_id: int, generation: int, job: str) -> None:
    """Queue a new run's first step, or fail fast: with the broker down the run is marked
    failed (visibly not running) within about the health timeout and BrokerDown is raised."""
    from workers.probe import ping_broker

    settings = get_settings()
    probe = ping_broker(settings.broker_url, settings.health_timeout)
    if probe["ok"]:
        try:
            send_steps(run_id, generation, job, [PLAN], retry=False)
            return
        except Exception as error:  # kombu raises many types when the broker goes away
            probe = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    with session_scope(engine) as session:
        complete_run(session, run_id, generation, status="failed", now=utcnow(),
                     error=f"{BROKER_DOWN}（{probe.get('error', '')}）"[:2000])  # fmt: skip
    raise BrokerDown(BROKER_DOWN)


def follow_up(run_id: int, generation: int, job: str, step: str, outcome: StepOutcome) -> None:
    """Dispatch what a step outcome asks for: the next steps, or this step again after backoff."""
    if outcome.retry_in is not None:
        send_steps(run_id, generation, job, [step], countdown=outcome.retry_in)
    if outcome.next_steps:
        send_steps(run_id, generation, job, outcome.next_steps)
