"""Fault tests: real Redis, real `celery worker` / `celery beat` subprocesses, real PostgreSQL.

Each test measures (and prints) the seconds until the re-run or completion it is about.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.artifacts import TEMP_PREFIX
from powerlist.db import session_scope
from powerlist.models import OutboxMessage, Report, Run
from powerlist.runtime.runner import start_run
from tests import jobs_for_tests
from tests.celery_harness import AofRedis, Cluster, run_of, wait_for
from tests.fixtures_runtime import add_departments, control, starts

__all__ = ["control"]

JOB = jobs_for_tests.JOB
DONE = ("succeeded", "failed", "partial")


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a fresh PostgreSQL database with the tiny world's departments."""
    engine = db.make_engine(postgres_url)
    add_departments(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def cluster(
    postgres_url: str, redis_url: str, tmp_path: Path, control: Path, pg_engine: Engine
) -> Iterator[Cluster]:
    """Workers and beats for one test, stopped afterwards."""
    cluster = Cluster(postgres_url, redis_url, tmp_path)
    yield cluster
    cluster.stop_all()


def _queue_run(cluster: Cluster, engine: Engine, scope: str = "all") -> int:
    claim = start_run(engine, JOB, "2026", scope, trigger="test")
    cluster.send("powerlist.start_run", job=JOB, run_id=claim.run_id, generation=claim.generation)
    return claim.run_id


def _finished(engine: Engine, run_id: int, timeout: float, cluster: Cluster):
    return wait_for(
        lambda: (v := run_of(engine, run_id)).status in DONE and v,
        timeout,
        f"run {run_id} to finish",
        next(iter(cluster.folder.glob("*.log")), None),
    )


def _event_times(control: Path, unit: str, event: str) -> list[float]:
    lines = (control / "log").read_text().splitlines()
    return [float(p[3]) for p in (line.split() for line in lines) if p[0] == unit and p[2] == event]


def _assert_one_valid_workbook_each(engine: Engine, run_id: int, folder: Path) -> None:
    with session_scope(engine) as session:
        reports = list(session.execute(select(Report).where(Report.run_id == run_id)).scalars())
    assert sorted(Path(r.path).name for r in reports) == ["D01.xlsx", "D02.xlsx", "D03.xlsx"]
    for report in reports:
        assert load_workbook(report.path).active.max_row == 1 + jobs_for_tests.ROWS
    written = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert written == ["D01.xlsx", "D02.xlsx", "D03.xlsx"], f"stray files: {written}"
    assert not [p for p in folder.rglob(f"{TEMP_PREFIX}*")]


def test_1_child_killed_mid_report_runs_again(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    (control / "kill-D02").write_text("1")
    cluster.worker("w1", concurrency=2)
    run_id = _queue_run(cluster, pg_engine)
    view = _finished(pg_engine, run_id, 60, cluster)
    assert (view.status, view.attempts, view.done, view.total) == ("succeeded", 2, 3, 3)
    assert starts(control, "D02") == 2 and starts(control, "D01") == 1
    _assert_one_valid_workbook_each(pg_engine, run_id, cluster.folder / "reports")
    rerun = _event_times(control, "D02", "start")[1] - _event_times(control, "D02", "kill")[0]
    print(f"\n[fault 1] child SIGKILL -> re-run after {rerun:.2f} s")
    assert rerun < 10


def test_2_whole_worker_killed_new_worker_completes(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    (control / "sleep-D02").write_text("3")
    first = cluster.worker("w1", concurrency=1)
    run_id = _queue_run(cluster, pg_engine)
    wait_for(lambda: starts(control, "D02") == 1, 30, "D02 to start")
    time.sleep(0.5)
    cluster.kill(first)
    killed_at = time.time()
    (control / "sleep-D02").unlink()
    cluster.worker("w2", concurrency=1)
    view = _finished(pg_engine, run_id, 90, cluster)
    completed = time.time() - killed_at
    assert (view.status, view.done, view.attempts) == ("succeeded", 3, 2)
    assert starts(control, "D02") == 2
    _assert_one_valid_workbook_each(pg_engine, run_id, cluster.folder / "reports")
    rerun = _event_times(control, "D02", "start")[1] - killed_at
    print(f"\n[fault 2] worker SIGKILL -> re-run after {rerun:.1f} s, done after {completed:.1f} s")
    visibility = float(cluster.env["POWERLIST_VISIBILITY_TIMEOUT"])
    assert rerun < visibility + 15


def test_3_a_task_that_kills_its_worker_every_time_stops_after_n_starts(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    (control / "kill-D01").write_text("99")
    cluster.worker("w1", concurrency=1)
    started = time.time()
    run_id = _queue_run(cluster, pg_engine, scope="D01")
    view = _finished(pg_engine, run_id, 90, cluster)
    failed_after = time.time() - started
    time.sleep(3)  # no further start may follow the failure
    assert view.status == "failed" and view.done == 0
    assert starts(control, "D01") == 3 == view.attempts
    assert "已尝试 3 次" in (view.error or "") and "worker lost" in (view.error or "")
    print(f"\n[fault 3] poison task: 3 starts, run failed after {failed_after:.1f} s, no 4th start")


def test_4_a_redelivered_copy_of_a_running_step_does_nothing(
    postgres_url: str, redis_url: str, tmp_path: Path, control: Path, pg_engine: Engine
) -> None:
    overrides = {
        "POWERLIST_VISIBILITY_TIMEOUT": "3",
        "POWERLIST_TASK_TIME_LIMIT": "60",
        "POWERLIST_TASK_SOFT_TIME_LIMIT": "50",
        "POWERLIST_CHECK_TIMEOUTS": "false",  # deliberately unsafe: the task outlives the VT
        "POWERLIST_LEASE_SECONDS": "30",
    }
    cluster = Cluster(postgres_url, redis_url, tmp_path, overrides)
    try:
        (control / "sleep-D01").write_text("9")
        cluster.worker("w1", concurrency=2)
        run_id = _queue_run(cluster, pg_engine, scope="D01")
        view = _finished(pg_engine, run_id, 60, cluster)
        logs = cluster.logs()
    finally:
        cluster.stop_all()
    assert (view.status, view.attempts) == ("succeeded", 1)
    assert starts(control, "D01") == 1
    skipped = logs.count("step unit:D01: skipped")
    assert skipped >= 1, "the message was never redelivered: the test proved nothing"
    print(f"\n[fault 4] task of 9 s, VT 3 s: {skipped} redelivered copies skipped, 1 execution")


def test_5_two_beats_start_one_run_per_key(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    cluster.use_schedule(
        f"""
[catch_up]
grace_minutes = 0
[[entry]]
name = "tick"
task = "powerlist.start_run"
job = "{JOB}"
every = "1s"
queue = "reports"
period = "day"
""",
    )
    cluster.worker("w1", concurrency=2)
    cluster.beat("beat-a")
    cluster.beat("beat-b")

    def ticks(name: str) -> int:
        path = cluster.folder / f"{name}.log"
        return (
            path.read_text(errors="replace").count("Sending due task tick") if path.exists() else 0
        )

    wait_for(lambda: min(ticks("beat-a"), ticks("beat-b")) >= 4, 60, "4 ticks of each beat")
    time.sleep(1)
    sent = ticks("beat-a") + ticks("beat-b")
    with session_scope(pg_engine) as session:
        runs = list(session.execute(select(Run)).scalars())
    assert len(runs) == 1 and runs[0].trigger == "beat"
    wait_for(lambda: run_of(pg_engine, runs[0].id).status == "succeeded", 30, "the run")
    assert [starts(control, code) for code in ("D01", "D02", "D03")] == [1, 1, 1]
    print(f"\n[fault 5] two beats sent {sent} start messages: 1 run, each unit once")


def test_6_beat_down_over_a_due_time_the_reconciler_starts_the_missed_run_once(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    from datetime import UTC, datetime

    from powerlist.runtime.catchup import expected_runs
    from schedules.loader import load_schedule

    schedule = cluster.use_schedule(
        f"""
[catch_up]
grace_minutes = 0
[[entry]]
name = "daily"
task = "powerlist.start_run"
job = "{JOB}"
cron = "0 3 * * *"
queue = "reports"
period = "day"
look_back_days = 2
[[entry]]
name = "reconcile"
task = "powerlist.reconcile"
every = "1s"
queue = "reminders"
""",
    )
    expected = {
        (e.job, e.period) for e in expected_runs(load_schedule(schedule), datetime.now(UTC))
    }
    assert len(expected) == 2
    cluster.worker("w1", concurrency=2)
    began = time.time()
    cluster.beat("beat")  # a fresh state file: the schedule file was "deleted"

    def all_done() -> bool:
        with session_scope(pg_engine) as session:
            statuses = session.execute(select(Run.status)).scalars().all()
        return len(statuses) == 2 and all(s == "succeeded" for s in statuses)

    wait_for(all_done, 60, "the missed runs")
    caught_up = time.time() - began
    time.sleep(3)  # several more reconciler ticks
    with session_scope(pg_engine) as session:
        runs = list(session.execute(select(Run)).scalars())
        alerts = session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "alert")
        ).scalar_one()
    assert {(r.job, r.period) for r in runs} == expected
    assert {r.trigger for r in runs} == {"catch-up"} and alerts == 2
    assert [starts(control, code) for code in ("D01", "D02", "D03")] == [2, 2, 2]
    print(f"\n[fault 6] beat restarted without state: 2 missed runs done after {caught_up:.1f} s")


def test_7_redis_restarted_mid_run_loses_nothing(
    postgres_url: str, tmp_path: Path, control: Path, pg_engine: Engine
) -> None:
    server = AofRedis(tmp_path)
    server.start()
    cluster = Cluster(postgres_url, server.url, tmp_path)
    try:
        (control / "sleep-D01").write_text("4")
        cluster.worker("w1", concurrency=1)
        run_id = _queue_run(cluster, pg_engine)
        wait_for(lambda: starts(control, "D01") == 1, 30, "D01 to start")
        server.kill()
        time.sleep(1)
        server.start()
        restarted = time.time()
        view = _finished(pg_engine, run_id, 90, cluster)
        completed = time.time() - restarted
    finally:
        cluster.stop_all()
        server.stop()
    assert (view.status, view.done, view.attempts) == ("succeeded", 3, 1)
    assert [starts(control, code) for code in ("D01", "D02", "D03")] == [1, 1, 1]
    _assert_one_valid_workbook_each(pg_engine, run_id, tmp_path / "reports")
    print(f"\n[fault 7] redis SIGKILL + restart (AOF): run done {completed:.1f} s after restart")


def test_8_a_run_whose_runner_died_is_reaped_and_finished_by_a_worker(
    cluster: Cluster, pg_engine: Engine, control: Path
) -> None:
    import signal
    import subprocess
    import sys

    (control / "sleep-D02").write_text("60")
    command = [str(Path(sys.executable).with_name("powerlist")), "run", JOB, "--period", "2026"]
    runner = subprocess.Popen(
        command, env=cluster.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(lambda: starts(control, "D02") == 1, 60, "the in-process run to reach D02")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=10)
    killed_at = time.time()
    (control / "sleep-D02").unlink()
    assert run_of(pg_engine, 1).status == "running"
    cluster.worker("w1", concurrency=2)
    cluster.send("powerlist.reap")
    view = _finished(pg_engine, 1, 60, cluster)
    reaped = time.time() - killed_at
    assert (view.status, view.done, view.attempts) == ("succeeded", 3, 2)
    assert [starts(control, code) for code in ("D01", "D02", "D03")] == [1, 2, 1]
    _assert_one_valid_workbook_each(pg_engine, 1, cluster.folder / "reports")
    print(f"\n[fault 8] in-process runner SIGKILL, one reap: run done {reaped:.1f} s later")
