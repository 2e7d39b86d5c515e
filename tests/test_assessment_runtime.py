"""`powerlist run delegation-assessment` on the demo city: in-process, and queued to a real
Celery worker, each producing the three kinds of workbook."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import distinct, func, select

from powerlist import db
from powerlist.demo.generate import generate_city
from powerlist.demo.load import load_demo
from powerlist.models import Delegation, DelegationAssessment, Report, Run, RunStep
from tests.celery_harness import Cluster

POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent
JOB_ENV = {
    "POWERLIST_EXTRA_JOB_MODULES": "",  # the built-in registration only
    "POWERLIST_ASSESSMENT_AS_OF": "2026-11-01",  # the day the demo data describes
    # The city summary and 400-odd unit workbooks are one step of ~10-30 s on a busy machine.
    "POWERLIST_TASK_SOFT_TIME_LIMIT": "600",
    "POWERLIST_TASK_TIME_LIMIT": "660",
    "POWERLIST_VISIBILITY_TIMEOUT": "720",
    "POWERLIST_LEASE_SECONDS": "60",
}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_demo_assessment_in_process_and_on_a_worker(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    city = generate_city(2026)
    engine = db.make_engine(postgres_url)
    load_demo(engine, [city])
    cluster = Cluster(postgres_url, redis_url, tmp_path, overrides=JOB_ENV)
    env = {**os.environ, **cluster.env}
    try:
        yearly = cli(env, "run", "delegation-assessment", "--period", "2026")
        cluster.worker("w1", concurrency=2)
        quarterly = cli(
            env, "run", "delegation-assessment", "--period", "2026-Q3", "--queue", "--wait"
        )
    finally:
        cluster.stop_all()
    assert yearly.returncode == 0, yearly.stdout + yearly.stderr
    assert quarterly.returncode == 0, quarterly.stdout + quarterly.stderr + cluster.logs()
    zero = _planted_zero_case(city.tables["handling_stats"])
    with db.session_scope(engine) as session:
        runs = {
            run.period: run
            for run in session.scalars(select(Run).where(Run.job == "delegation_assessment"))
        }
        assert {p: (r.status, r.trigger.split(":")[0]) for p, r in runs.items()} == {
            "2026": ("succeeded", "cli"),
            "2026-Q3": ("succeeded", "cli-queue"),
        }
        for period, run in runs.items():
            kinds = dict(
                session.execute(
                    select(Report.kind, func.count())
                    .where(Report.run_id == run.id)
                    .group_by(Report.kind)
                ).all()
            )
            steps = [s.split(":")[0] for s in session.scalars(
                select(RunStep.step).where(RunStep.run_id == run.id))]  # fmt: skip
            # one step per department, then the unit workbooks 25 units per step, fanned out
            assert kinds["delegation_department"] == steps.count("unit") > 30
            receiving = session.scalar(select(func.count(distinct(Delegation.unit_id))))
            assert steps.count("then") == math.ceil(receiving / 25) > 1
            assert run.progress_done == run.progress_total == len(steps) - 2  # plan, finish
            assert kinds["delegation_unit"] == run.summary["unit_workbooks"] > 100
            assert kinds["delegation_city"] == 1
            advice = dict(
                session.execute(
                    select(
                        DelegationAssessment.delegation_id, DelegationAssessment.recommendation
                    ).where(DelegationAssessment.period == period)
                ).all()
            )
            flagged = {advice[d] for d in zero if d in advice}
            assert flagged <= {"整改", "收回", "已收回"} and flagged, period
        paths = [
            Path(p)
            for p in session.scalars(select(Report.path).where(Report.kind == "delegation_city"))
        ]
    for path in paths:
        assert path.parent.parent.parent == tmp_path / "reports" / "delegation_assessment"
        book = load_workbook(path, read_only=True)
        assert "零办件清单" in book.sheetnames and "收回建议" in book.sheetnames


def _planted_zero_case(stats: list[dict[str, object]]) -> set[int]:
    received: dict[int, int] = defaultdict(int)
    for row in stats:
        received[row["delegation_id"]] += row["received"]  # type: ignore[index,operator]
    return {delegation for delegation, total in received.items() if total == 0}
