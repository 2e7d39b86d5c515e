"""`powerlist run`, `runs list|show` and `schedules list` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from powerlist import db
from powerlist.models import Run
from tests.celery_harness import Cluster, wait_for
from tests.fixtures_runtime import add_departments, control

__all__ = ["control"]

WORKING_WEEKENDS = {"09-20", "10-10", "02-14", "02-28", "01-04", "05-09"}  # 2026 调休 days
POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli_env(sqlite_url: str, tmp_path: Path, control: Path) -> dict[str, str]:
    engine = db.make_engine(sqlite_url)
    add_departments(engine)
    engine.dispose()
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POWERLIST_DATABASE_URL": sqlite_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path / "reports"),
        "POWERLIST_EXTRA_JOB_MODULES": "tests.jobs_for_tests",
    }


def test_run_in_process_shows_progress_and_records_the_run(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    result = _cli(cli_env, "run", "test_reports", "--period", "2026")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "运行 #1：测试报表，2026年，全市（第 1 次）"
    assert any(line.startswith("进度 3/3") for line in lines)
    assert "运行 #1 成功：3/3，尝试 1 次" in result.stdout
    book = load_workbook(tmp_path / "reports" / "test_reports" / "2026" / "all" / "D02.xlsx")
    assert book.active["A2"].value == "市生态环境局"

    again = _cli(cli_env, "run", "test_reports", "--period", "2026")
    assert again.returncode == 0 and "已结束（成功）；如需重跑请加 --force" in again.stdout
    forced = _cli(cli_env, "run", "test_reports", "--period", "2026", "--force")
    assert forced.returncode == 0 and "（第 2 次）" in forced.stdout

    listed = json.loads(_cli(cli_env, "runs", "list", "--json").stdout)
    assert [(r["id"], r["status"], r["done"], r["total"], r["generation"]) for r in listed] == [
        (1, "succeeded", 3, 3, 2)
    ]
    assert listed[0]["trigger"].startswith("cli:")
    assert (listed[0]["period"], listed[0]["scope"]) == ("2026", "all")  # JSON: the keys
    table = _cli(cli_env, "runs", "list").stdout.splitlines()
    assert table[1].split()[2:5] == ["2026年", "全市", "成功"]  # people: as `runs show` says
    shown = _cli(cli_env, "runs", "show", "1")
    assert "状态：成功" in shown.stdout and "unit:D03" in shown.stdout


def test_one_department_and_bad_keys(cli_env: dict[str, str]) -> None:
    one = _cli(cli_env, "run", "test_reports", "--period", "2026-Q3", "--department", "D01")
    assert one.returncode == 0 and "成功：1/1" in one.stdout
    unknown = _cli(cli_env, "run", "no_such_job", "--period", "2026")
    assert unknown.returncode == 2 and "没有任务“no_such_job”" in unknown.stderr
    bad = _cli(cli_env, "run", "test_reports", "--period", "2026-13")
    assert bad.returncode == 2 and "不存在的日期" in bad.stderr
    missing = _cli(cli_env, "runs", "show", "99")
    assert missing.returncode == 2 and "没有运行 #99" in missing.stderr


def test_a_failing_department_makes_the_run_partial_with_exit_code_3(
    cli_env: dict[str, str], control: Path
) -> None:
    (control / "fail-D03").write_text("99")
    cli_env["POWERLIST_RETRY_BACKOFF_MAX"] = "0"
    result = _cli(cli_env, "run", "test_reports", "--period", "2026")
    assert result.returncode == 3
    assert "部分完成：2/3" in result.stdout and "planned failure for D03" in result.stderr
    assert "D03: planned failure for D03" in result.stderr and "Traceback" not in result.stderr


def test_schedules_list_shows_the_next_real_runs(cli_env: dict[str, str]) -> None:
    result = _cli(cli_env, "schedules", "list", "--json")
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    review = entries["yearly_review"]
    assert review["when"] == "30 8 11-20 1 *" and 1 <= len(review["next"]) <= 3
    periods = [fire["period"] for fire in review["next"] if fire["at"]]
    assert len(periods) == len(set(periods))  # one run per year, not every candidate day
    reminders = [fire["at"] for fire in entries["training_reminders"]["next"] if fire["at"]]
    assert all(datetime.fromisoformat(at).weekday() < 5 or at[5:10] in WORKING_WEEKENDS
               for at in reminders)  # fmt: skip
    assert entries["reconcile"]["when"] == "every 5m"
    text = _cli(cli_env, "schedules", "list").stdout
    assert "下次 " in text and "仅工作日" in text


def test_run_queue_wait_goes_through_a_real_worker(
    postgres_url: str, redis_url: str, tmp_path: Path, control: Path
) -> None:
    engine = db.make_engine(postgres_url)
    add_departments(engine)
    engine.dispose()
    cluster = Cluster(postgres_url, redis_url, tmp_path)
    try:
        cluster.worker("w1", concurrency=2)
        env = {**cluster.env}
        result = _cli(env, "run", "test_reports", "--period", "2026", "--queue", "--wait")
        queued = _cli(env, "run", "test_reports", "--period", "2027", "--queue")
        cluster.send("powerlist.start_run", job="no_such_job", period="2026", trigger="api")
        unregistered = wait_for(lambda: _failed_runs(postgres_url), 30, "the failed runs")
    finally:
        cluster.stop_all()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "进度 3/3" in result.stdout and "成功：3/3" in result.stdout
    assert queued.returncode == 0 and "已排队；查看进度：powerlist runs show 2" in queued.stdout
    listed = json.loads(_cli(env, "runs", "list", "--json").stdout)
    assert {r["trigger"].split(":")[0] for r in listed} == {"cli-queue", "api"}
    [(job, error)] = unregistered
    assert job == "no_such_job"
    assert error.startswith("unknown job 'no_such_job' (known: ")
    assert "test_reports" in error and "yearly_review" in error


def _failed_runs(url: str) -> list[tuple[str, str]]:
    """Failed runs as (job, first line of the error) once there is one."""
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        rows = session.execute(select(Run.job, Run.error).where(Run.status == "failed")).all()
    engine.dispose()
    found = [
        (job, (error or "").splitlines()[0].removeprefix("plan: PermanentError: "))
        for job, error in rows
    ]
    return found
