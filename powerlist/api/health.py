"""Health (健康检查): database, broker and worker reachability, and each scheduled job's last
successful run from the ledger. Without an administrator token it says only up or down: the
details (driver errors, worker names, run ids) help an attacker more than an anonymous probe."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from powerlist.api.deps import get_engine, optional_caller
from powerlist.db import session_scope
from powerlist.models import Run
from powerlist.settings import get_settings
from powerlist.tokens import Caller

router = APIRouter(tags=["health"])


def scheduled_jobs() -> list[str]:
    """The jobs the beat schedule starts, in schedule order (no duplicates)."""
    from schedules.loader import load_schedule

    schedule = load_schedule(timezone=get_settings().timezone)
    jobs = [entry.job for entry in schedule.entries if entry.job]
    return list(dict.fromkeys(jobs))


def last_successes(session: Session, jobs: list[str]) -> dict[str, dict[str, Any] | None]:
    """Per job, the newest succeeded run (id, period, finished_at), or None if it never did."""
    latest = (
        select(Run.job, func.max(Run.finished_at).label("at"))
        .where(Run.status == "succeeded", Run.job.in_(jobs))
        .group_by(Run.job)
        .subquery()
    )
    rows = session.execute(
        select(Run.job, Run.id, Run.period, Run.finished_at)
        .join(latest, (latest.c.job == Run.job) & (latest.c.at == Run.finished_at))
        .where(Run.status == "succeeded")
    )
    found = {
        job: {"run_id": i, "period": p, "finished_at": at.isoformat()} for job, i, p, at in rows
    }
    return {job: found.get(job) for job in jobs}


@router.get("/api/health")
def health(
    engine: Engine = Depends(get_engine), caller: Caller | None = Depends(optional_caller)
) -> JSONResponse:
    """200 when the database, broker and at least one worker answer; 503 otherwise.

    Anyone gets `{"status": "ok"|"degraded"}`; an administrator also gets each check.
    """
    from workers.probe import ping_broker, ping_workers

    settings = get_settings()
    checks: dict[str, Any] = {}
    try:
        with session_scope(engine) as session:
            session.execute(text("SELECT 1"))
            checks["last_success"] = last_successes(session, scheduled_jobs())
        checks["database"] = {"ok": True}
    except Exception as error:  # any driver error means "not reachable"
        checks["database"] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    checks["broker"] = ping_broker(settings.broker_url, settings.health_timeout)
    checks["workers"] = (
        ping_workers(settings.health_timeout)
        if checks["broker"]["ok"]
        else {"ok": False, "workers": [], "error": "broker unreachable"}
    )
    healthy = all(checks[k]["ok"] for k in ("database", "broker", "workers"))
    body: dict[str, Any] = {"status": "ok" if healthy else "degraded"}
    if caller is not None and caller.is_admin:
        body.update(checks)
    return JSONResponse(body, status_code=200 if healthy else 503)
