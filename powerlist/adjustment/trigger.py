"""Starting the 个别调整 run of a laws import's change set, and catching up the ones not started.

The import itself starts its run (CLI in-process or queued, HTTP queued); the daily catch-up
(补跑) starts any change set of the look-back window whose run does not exist, e.g. because
the process died between committing the import and starting the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from powerlist.adjustment.changes import change_sets, import_scope
from powerlist.adjustment.job import JOB_NAME
from powerlist.alerts import raise_alert
from powerlist.db import session_scope
from powerlist.models import LawChange
from powerlist.runtime import ledger
from powerlist.runtime.ledger import Claim
from powerlist.runtime.runner import start_run
from powerlist.runtime.views import find_run

CATCH_UP_TRIGGER = "catch-up"
LOOK_BACK_DAYS = 7


@dataclass(frozen=True)
class ChangeSetRun:
    """The run of one import's change set."""

    day: date
    import_id: int
    claim: Claim


def start_for_import(engine: Engine, import_id: int, *, trigger: str) -> ChangeSetRun | None:
    """Create (or find) the run of one import's law changes; None when it changed nothing."""
    with session_scope(engine) as session:
        day = session.scalar(
            select(LawChange.detected_on).where(LawChange.import_id == import_id).limit(1)
        )
    if day is None:
        return None
    claim = start_run(engine, JOB_NAME, day.isoformat(), import_scope(import_id), trigger=trigger)
    return ChangeSetRun(day, import_id, claim)


def catch_up(
    session: Session, today: date, look_back_days: int = LOOK_BACK_DAYS
) -> list[ChangeSetRun]:
    """Claim the run of every recent change set that has none, with an alert for each."""
    started = []
    for day, import_id in change_sets(session, today - timedelta(days=look_back_days)):
        scope = import_scope(import_id)
        if find_run(session, JOB_NAME, day.isoformat(), scope) is not None:
            continue
        claim = ledger.claim_run(session, JOB_NAME, day.isoformat(), scope, CATCH_UP_TRIGGER)
        started.append(ChangeSetRun(day, import_id, claim))
        raise_alert(
            session,
            f"missed:{JOB_NAME}:{day}:{scope}",
            f"个别调整审核 {day} 未随导入启动，已补跑",
            f"{day} 导入（编号 {import_id}）的法规变动没有启动个别调整审核，已由补跑检查启动"
            f"（运行 #{claim.run_id}）。",
            {"job": JOB_NAME, "period": day.isoformat(), "scope": scope},
        )
    return started
