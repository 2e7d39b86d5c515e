"""On a real Celery worker (issue 24 item 10): a step past its soft or hard time limit leaves the
run visibly failed or recovered, never stuck; the yearly review and the training reminders run
end to end. Real Redis, real `celery worker` subprocesses, real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.db import session_scope
from powerlist.models import Finding, OutboxMessage, Reminder, Report, RunStep, Staff
from powerlist.runtime.runner import start_run
from powerlist.runtime.views import RunView
from tests import jobs_for_tests
from tests.celery_harness import Cluster, run_of, wait_for
from tests.fixtures_review import build_world as build_review_world
from tests.fixtures_runtime import add_departments, control, starts
from tests.fixtures_training import TEST_TRAINING_TOML, run_day, settings_env
from tests.fixtures_training import build_world as build_training_world
from tests.test_training_reminders import COMPLETIONS

__all__ = ["control", "settings_env"]
pytestmark = pytest.mark.postgres

DONE = ("succeeded", "failed", "partial")
DAY = date(2026, 10, 26)  # a Monday, a working day
LIMITS = {  # tiny limits: asked to stop after 2 s, killed after 3 s
    "POWERLIST_TASK_SOFT_TIME_LIMIT": "2",
    "POWERLIST_TASK_TIME_LIMIT": "3",
    "POWERLIST_VISIBILITY_TIMEOUT": "10",
    "POWERLIST_LEASE_SECONDS": "6",
}


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    engine = db.make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def limited(postgres_url: str, redis_url: str, tmp_path: Path, control: Path) -> Iterator[Cluster]:
    """A cluster whose steps have the tiny time limits."""
    cluster = Cluster(postgres_url, redis_url, tmp_path, dict(LIMITS))
    yield cluster
    cluster.stop_all()


def _queue(cluster: Cluster, engine: Engine, job: str, period: str, scope: str = "all") -> int:
    claim = start_run(engine, job, period, scope, trigger="test")
    cluster.send("powerlist.start_run", job=job, run_id=claim.run_id, generation=claim.generation)
    return claim.run_id


def _finished(cluster: Cluster, engine: Engine, run_id: int, timeout: float) -> RunView:
    return wait_for(
        lambda: (v := run_of(engine, run_id)).status in DONE and v,
        timeout,
        f"run {run_id} to finish\n{cluster.logs()[-3000:]}",
    )


def test_a_step_past_its_soft_limit_fails_visibly_after_its_attempts(
    limited: Cluster, pg: Engine, control: Path
) -> None:
    add_departments(pg, {"D01": "市司法局", "D02": "市生态环境局"})
    (control / "sleep-D02").write_text("30")  # every attempt overruns the 2 s soft limit
    limited.worker("w1", concurrency=2)
    started = time.monotonic()
    view = _finished(limited, pg, _queue(limited, pg, jobs_for_tests.JOB, "2026"), 60)
    print(f"\n[soft limit] run {view.status} after {time.monotonic() - started:.1f} s")
    assert (view.status, view.done, view.total) == ("partial", 1, 2)
    assert starts(control, "D02") == 3 and starts(control, "D01") == 1  # POWERLIST_MAX_ATTEMPTS
    assert "D02" in (view.error or "")
    with session_scope(pg) as session:
        statuses = dict(
            session.execute(
                select(RunStep.step, RunStep.status).where(RunStep.run_id == view.id)
            ).all()
        )
    assert statuses["unit:D02"] == "failed" and statuses["unit:D01"] == "done"


def test_a_step_killed_at_its_hard_limit_is_left_running_until_the_reaper_recovers_it(
    limited: Cluster, pg: Engine, control: Path
) -> None:
    add_departments(pg, {"D01": "市司法局"})
    (control / "stubborn-D01").write_text("30")  # ignores the soft limit: killed at 3 s
    limited.worker("w1", concurrency=1)
    run_id = _queue(limited, pg, jobs_for_tests.JOB, "2026")
    wait_for(lambda: "Hard time limit" in limited.logs(), 30, "the hard time limit to kill it")
    (control / "stubborn-D01").unlink()
    killed_at = time.monotonic()
    time.sleep(3)  # Celery acked the timed-out task: nothing redelivers it
    view = run_of(pg, run_id)
    assert view.status == "running" and starts(control, "D01") == 1, view
    assert "soft-limit-ignored" in (control / "log").read_text()
    limited.send("powerlist.reap")
    view = _finished(limited, pg, run_id, 60)
    print(f"\n[hard limit] reaped and done {time.monotonic() - killed_at:.1f} s after the kill")
    assert (view.status, view.done, view.attempts) == ("succeeded", 1, 2)
    assert starts(control, "D01") == 2
    with session_scope(pg) as session:
        report = session.scalars(select(Report).where(Report.run_id == run_id)).one()
    assert load_workbook(report.path).active.max_row == 1 + jobs_for_tests.ROWS


def test_the_yearly_review_and_the_training_reminders_run_on_a_real_worker(
    postgres_url: str,
    sqlite_url: str,
    redis_url: str,
    tmp_path: Path,
    pg: Engine,
    settings_env: Any,
) -> None:
    build_review_world(pg)
    build_training_world(pg, COMPLETIONS)
    training = tmp_path / "training.toml"
    training.write_text(TEST_TRAINING_TOML, encoding="utf-8")
    settings_env(training_file=str(training), webhook_url=None, workday_overrides=None)
    alone = db.make_engine(sqlite_url)  # the same day in-process, for comparison
    build_training_world(alone, COMPLETIONS)
    run_day(alone, DAY, tmp_path / "in-process")
    expected = _reminders_and_messages(alone)
    alone.dispose()
    overrides = {
        "POWERLIST_EXTRA_JOB_MODULES": "",
        "POWERLIST_REVIEW_AS_OF": "2026-11-01",
        "POWERLIST_TRAINING_FILE": str(training),
        "POWERLIST_TASK_SOFT_TIME_LIMIT": "60",
        "POWERLIST_TASK_TIME_LIMIT": "70",
        "POWERLIST_VISIBILITY_TIMEOUT": "80",
    }
    cluster = Cluster(postgres_url, redis_url, tmp_path, overrides)
    try:
        cluster.worker("w1", concurrency=2)
        started = time.monotonic()
        review = _queue(cluster, pg, "yearly_review", "2026")
        reminders = _queue(cluster, pg, "training_reminders", DAY.isoformat())
        views = [_finished(cluster, pg, run_id, 90) for run_id in (review, reminders)]
        took = time.monotonic() - started
    finally:
        cluster.stop_all()
    print(f"\n[real worker] yearly review and training reminders done in {took:.1f} s")
    assert [v.status for v in views] == ["succeeded", "succeeded"], [v.error for v in views]
    with session_scope(pg) as session:
        findings = session.scalar(select(func.count()).where(Finding.run_id == review))
        review_files = session.scalars(select(Report.path).where(Report.run_id == review)).all()
        roster_files = session.scalars(select(Report.path).where(Report.run_id == reminders)).all()
    assert findings and len(review_files) >= 3  # a workbook per department and the summary
    for path in [*review_files, *roster_files]:
        assert Path(path).is_file() and load_workbook(path, read_only=True).sheetnames
    assert _reminders_and_messages(pg) == expected and expected[0]  # as in-process, not empty
    assert roster_files and views[1].summary.get("working_day") is True


def _reminders_and_messages(engine: Engine) -> tuple[list[tuple[str, str]], int]:
    """The day's reminders as (staff number, stage), and how many outbox messages exist."""
    with session_scope(engine) as session:
        sent = session.execute(
            select(Staff.staff_no, Reminder.stage)
            .join(Staff, Staff.id == Reminder.staff_id)
            .where(Reminder.sent_on == DAY)
        ).all()
        messages = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    return sorted((str(no), str(stage)) for no, stage in sent), messages
