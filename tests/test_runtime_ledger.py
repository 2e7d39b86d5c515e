"""The run ledger and the in-process runner on SQLite and PostgreSQL, with the real test job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from powerlist.artifacts import TEMP_PREFIX
from powerlist.db import session_scope
from powerlist.models import Report, Run, RunStep, utcnow
from powerlist.runtime import ledger
from powerlist.runtime.ledger import Decision, RunBusy
from powerlist.runtime.owners import current_owner
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import Limits, execute_step
from tests import jobs_for_tests
from tests.fixtures_runtime import DEPARTMENTS, add_departments, control, log_lines, starts

__all__ = ["control"]

LIMITS = Limits(max_attempts=3, lease=30, heartbeat=0.2, backoff_max=0)


def _run(engine: Engine, reports: Path, *, period: str = "2026", force: bool = False):
    claim = start_run(engine, jobs_for_tests.JOB, period, "all", trigger="test", force=force)
    return claim, run_in_process(
        engine, claim, limits=LIMITS, reports_root=reports, sleep=lambda _s: None
    )


def _reports(engine: Engine, run_id: int) -> list[Report]:
    with session_scope(engine) as session:
        return list(session.execute(select(Report).where(Report.run_id == run_id)).scalars())


def test_in_process_run_writes_one_workbook_per_department(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine)
    progress: list[tuple[int, int]] = []
    claim = start_run(engine, jobs_for_tests.JOB, "2026", "all", trigger="cli")
    view = run_in_process(
        engine,
        claim,
        limits=LIMITS,
        reports_root=tmp_path / "reports",
        on_progress=lambda v: progress.append((v.done, v.total)),
    )
    assert (view.status, view.done, view.total, view.attempts) == ("succeeded", 3, 3, 1)
    assert view.trigger == "cli" and view.finished_at is not None and view.summary == {"reports": 3}
    assert progress[-1] == (3, 3) and (1, 3) in progress
    reports = _reports(engine, view.id)
    assert len(reports) == 3
    for report in reports:
        sheet = load_workbook(report.path).active
        assert sheet.max_row == 1 + jobs_for_tests.ROWS
        assert sheet["A2"].value in DEPARTMENTS.values()
    assert not list((tmp_path / "reports").rglob(f"{TEMP_PREFIX}*"))


def test_same_key_again_is_a_no_op_and_force_replaces_outputs(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine)
    first, _ = _run(engine, tmp_path)
    again, view = _run(engine, tmp_path)
    assert (again.run_id, again.created, view.status) == (first.run_id, False, "succeeded")
    assert starts(control, "D01") == 1
    forced, view = _run(engine, tmp_path, force=True)
    assert (forced.run_id, forced.generation, forced.created) == (first.run_id, 2, True)
    assert view.status == "succeeded" and starts(control, "D01") == 2
    assert len(_reports(engine, first.run_id)) == 3
    files = sorted(p.name for p in (tmp_path / "test_reports" / "2026" / "all").iterdir())
    assert files == ["D01.xlsx", "D02.xlsx", "D03.xlsx"]
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(Run)).scalar_one() == 1


def test_a_failing_unit_is_retried_and_counted(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine)
    (control / "fail-D02").write_text("1")
    _, view = _run(engine, tmp_path)
    assert (view.status, view.attempts, view.done) == ("succeeded", 2, 3)
    assert starts(control, "D02") == 2


def test_a_unit_that_always_fails_stops_at_the_cap_and_the_run_is_partial(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine)
    (control / "fail-D02").write_text("99")
    _, view = _run(engine, tmp_path)
    assert (view.status, view.done, view.total) == ("partial", 2, 3)
    assert starts(control, "D02") == LIMITS.max_attempts
    assert view.error is not None and "D02" in view.error and "planned failure" in view.error


def test_an_unregistered_job_fails_its_run_with_a_clear_error(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        claim = ledger.claim_run(session, "no_such_job", "2026", "all", "beat")
    outcome = execute_step(
        engine, claim.run_id, claim.generation, "plan", limits=LIMITS, reports_root=tmp_path
    )
    assert outcome.decision is Decision.GIVE_UP and outcome.next_steps == []
    with session_scope(engine) as session:
        run = session.get(Run, claim.run_id)
        assert run is not None and run.status == "failed"
        assert "unknown job 'no_such_job'" in (run.error or "")


def test_a_live_claim_is_skipped_a_dead_one_taken_and_attempts_capped(engine: Engine) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        claim = ledger.claim_run(session, "test_reports", "2026", "D01", "cli")
        step = session.execute(select(RunStep).where(RunStep.run_id == claim.run_id)).scalar_one()
        step.status, step.owner, step.heartbeat_at, step.attempts = (
            "running",
            "other-host:1",
            now,
            1,
        )
    args = (claim.run_id, claim.generation, "plan")
    kwargs = {"me": current_owner(), "max_attempts": 2, "lease": 60}
    with session_scope(engine) as session:
        assert ledger.claim_step(session, *args, now=now, **kwargs)[0] is Decision.SKIP
    later = now + timedelta(seconds=61)
    with session_scope(engine) as session:
        assert ledger.claim_step(session, *args, now=later, **kwargs) == (Decision.TAKE, 2)
        with pytest.raises(RunBusy):
            ledger.claim_run(session, "test_reports", "2026", "D01", "cli", force=True)
    with session_scope(engine) as session:
        step = session.execute(select(RunStep).where(RunStep.run_id == claim.run_id)).scalar_one()
        step.owner = "other-host:2"
    much_later = later + timedelta(seconds=61)
    with session_scope(engine) as session:
        decision = ledger.claim_step(session, *args, now=much_later, **kwargs)[0]
        assert decision is Decision.GIVE_UP


def test_a_second_stage_starts_after_every_first_stage_unit_and_finish_after_both(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine)
    (control / "fail-D02").write_text("99")  # a failed unit still ends its stage
    claim = start_run(engine, jobs_for_tests.TWO_STAGE_JOB, "2026", "all", trigger="test")
    plan = execute_step(
        engine, claim.run_id, claim.generation, "plan", limits=LIMITS, reports_root=tmp_path
    )
    assert plan.next_steps == ["unit:D01", "unit:D02", "unit:D03"]
    early = execute_step(
        engine, claim.run_id, claim.generation, "then:T1", limits=LIMITS, reports_root=tmp_path
    )
    assert early.decision is Decision.SKIP  # delivered before the first stage ended
    view = run_in_process(
        engine, claim, limits=LIMITS, reports_root=tmp_path, sleep=lambda _s: None
    )
    assert (view.status, view.done, view.total) == ("partial", 4, 5)  # 3 departments + T1, T2
    events = log_lines(control)
    then_starts = [event for unit, event in events if unit in ("T1", "T2") and event != "end"]
    assert then_starts == ["start-after-2", "start-after-2"]  # D01, D03 written; D02 failed
    first_stage_ends = [i for i, (unit, _e) in enumerate(events) if unit.startswith("D")]
    assert max(first_stage_ends) < min(i for i, (u, _e) in enumerate(events) if u == "T1")
    assert view.summary == {"reports": 2} and "D02" in (view.error or "")


def test_the_last_first_stage_unit_dispatches_the_second_stage_once(
    engine: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(engine, {"D01": "市司法局", "D02": "市生态环境局"})
    claim = start_run(engine, jobs_for_tests.TWO_STAGE_JOB, "2026", "all", trigger="test")
    args = (engine, claim.run_id, claim.generation)
    execute_step(*args, "plan", limits=LIMITS, reports_root=tmp_path)
    assert execute_step(*args, "unit:D01", limits=LIMITS, reports_root=tmp_path).next_steps == []
    last = execute_step(*args, "unit:D02", limits=LIMITS, reports_root=tmp_path)
    assert last.next_steps == ["then:T1", "then:T2"]
    assert execute_step(*args, "then:T2", limits=LIMITS, reports_root=tmp_path).next_steps == []
    assert execute_step(*args, "then:T1", limits=LIMITS, reports_root=tmp_path).next_steps == [
        "finish"
    ]
    done = execute_step(*args, "finish", limits=LIMITS, reports_root=tmp_path)
    assert done.decision is Decision.TAKE
    with session_scope(engine) as session:
        run = session.get(Run, claim.run_id)
        assert run is not None and (run.status, run.progress_done, run.progress_total) == (
            "succeeded",
            4,
            4,
        )
