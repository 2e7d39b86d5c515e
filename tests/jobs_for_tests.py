"""A real job for the runtime tests: one small workbook per department, steerable by files.

Loaded in worker processes through POWERLIST_EXTRA_JOB_MODULES=tests.jobs_for_tests. The
control folder (POWERLIST_TEST_CONTROL_DIR) holds `sleep-<CODE>` (seconds to sleep mid-write),
`kill-<CODE>` (how many more times to SIGKILL the own process mid-write; 99 = every time) and
`fail-<CODE>` (raise an error N more times) and `stubborn-<CODE>` (seconds to sleep mid-write,
ignoring the soft time limit, like code stuck where no signal reaches); every start and end is
appended to `log`.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from powerlist.artifacts import write_atomic
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import Department, Report
from powerlist.periods import Period

CONTROL_ENV = "POWERLIST_TEST_CONTROL_DIR"
JOB = "test_reports"
ROWS = 3


def control_dir() -> Path | None:
    """The control folder, if the test set one."""
    value = os.environ.get(CONTROL_ENV)
    return Path(value) if value else None


def log_event(unit: str, event: str) -> None:
    """Append `unit pid event time` to the control log (one line per event, atomic append)."""
    folder = control_dir()
    if folder is not None:
        line = f"{unit} {os.getpid()} {event} {time.time():.3f}\n"
        with (folder / "log").open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()


def _take(name: str) -> str | None:
    """Read a control file; counters (kill/fail) are decremented as they are used."""
    folder = control_dir()
    path = folder / name if folder else None
    if path is None or not path.exists():
        return None
    text = path.read_text().strip()
    if name.startswith(("kill-", "fail-")):
        left = int(text)
        if left <= 0:
            return None
        path.write_text(str(left - 1))
    return text


def check_period(period: Period) -> None:
    """Any period will do for the test job."""


def plan(session: Session, context: RunContext) -> list[str]:
    """Active department codes (all, or the one in scope)."""
    query = select(Department.code).where(Department.active.is_(True)).order_by(Department.code)
    if context.scope != "all":
        query = query.where(Department.code == context.scope)
    return list(session.execute(query).scalars())


def run_unit(session: Session, context: RunContext, code: str) -> None:
    """Write one workbook for department `code` and record it (replacing any earlier one)."""
    log_event(code, "start")
    department = session.execute(select(Department).where(Department.code == code)).scalar_one()
    if _take(f"fail-{code}") is not None:
        raise RuntimeError(f"planned failure for {code}")

    def write(temp: Path) -> None:
        book = Workbook()
        sheet = book.active
        sheet.title = "测试"
        sheet.append(["部门", "序号", "期间"])
        for number in range(1, ROWS + 1):
            sheet.append([department.name, number, context.period.label])
        book.save(temp)
        pause = _take(f"sleep-{code}")
        if pause:
            time.sleep(float(pause))
        stubborn = _take(f"stubborn-{code}")
        if stubborn:
            _sleep_ignoring_soft_limit(code, float(stubborn))
        if _take(f"kill-{code}") is not None:
            log_event(code, "kill")
            os.kill(os.getpid(), signal.SIGKILL)

    artifact = write_atomic(context.reports_dir / f"{code}.xlsx", write)
    session.execute(
        delete(Report).where(
            Report.run_id == context.run_id,
            Report.kind == JOB,
            Report.department_id == department.id,
        )
    )
    session.add(
        Report(
            run_id=context.run_id,
            department_id=department.id,
            kind=JOB,
            file_name=artifact.path.name,
            path=str(artifact.path),
            sha256=artifact.sha256,
            bytes=artifact.bytes,
            rows=ROWS,
        )
    )
    log_event(code, "end")


def _sleep_ignoring_soft_limit(code: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except Exception:  # Celery's SoftTimeLimitExceeded: swallowed, as stuck code would
            log_event(code, "soft-limit-ignored")


def finish(session: Session, context: RunContext) -> dict[str, Any]:
    """Count the run's workbooks."""
    reports = session.execute(select(Report).where(Report.run_id == context.run_id)).scalars()
    return {"reports": len(list(reports))}


SPEC = register(
    JobSpec(
        name=JOB,
        title="测试报表",
        check_period=check_period,
        plan=plan,
        run_unit=run_unit,
        finish=finish,
    )
)


TWO_STAGE_JOB = "test_two_stage"
THEN_KEYS = ["T1", "T2"]


def plan_then(session: Session, context: RunContext) -> list[str]:
    """Second-stage keys of the two-stage test job."""
    return list(THEN_KEYS)


def run_then(session: Session, context: RunContext, key: str) -> None:
    """Log the second-stage unit, and how many first-stage workbooks existed when it started."""
    done = len(list(session.execute(select(Report.id).where(Report.run_id == context.run_id))))
    log_event(key, f"start-after-{done}")
    if _take(f"fail-{key}") is not None:
        raise RuntimeError(f"planned failure for {key}")
    log_event(key, "end")


TWO_STAGE = register(
    JobSpec(
        name=TWO_STAGE_JOB,
        title="两阶段测试",
        check_period=check_period,
        plan=plan,
        run_unit=run_unit,
        finish=finish,
        plan_then=plan_then,
        run_then=run_then,
    )
)
