"""Concurrency guards (issue 24 item 10), on PostgreSQL with real sessions: a step whose claim
was lost commits nothing, and two deliverers never send one outbox row twice. Each test fails
when its guard is removed (checked by removing it)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from powerlist import db
from powerlist.db import session_scope
from powerlist.models import OutboxMessage, Report, RunStep
from powerlist.outbox.delivery import DeliveryCounts, RetryPolicy, deliver_pending
from powerlist.outbox.senders import senders_from
from powerlist.outbox.store import NewMessage, enqueue
from powerlist.runtime.ledger import Decision
from powerlist.runtime.runner import start_run
from powerlist.runtime.steps import Limits, execute_step
from powerlist.settings import get_settings
from tests import jobs_for_tests
from tests.celery_harness import wait_for
from tests.fixtures_runtime import add_departments, control, starts
from tests.fixtures_training import SmtpInbox, smtp_inbox

__all__ = ["control", "smtp_inbox"]
pytestmark = pytest.mark.postgres

LIMITS = Limits(max_attempts=3, lease=30, heartbeat=0.2, backoff_max=0)
NOW = datetime(2026, 10, 8, 1, 30, tzinfo=UTC)
MESSAGES = 60


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    engine = db.make_engine(postgres_url)
    yield engine
    engine.dispose()


def test_a_step_whose_claim_was_lost_commits_none_of_its_work(
    pg: Engine, tmp_path: Path, control: Path
) -> None:
    add_departments(pg, {"D01": "市司法局"})
    claim = start_run(pg, jobs_for_tests.JOB, "2026", "all", trigger="test")
    args = (pg, claim.run_id, claim.generation)
    assert execute_step(*args, "plan", limits=LIMITS, reports_root=tmp_path).next_steps == [
        "unit:D01"
    ]
    (control / "sleep-D01").write_text("1.5")  # the unit pauses after writing its workbook
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            execute_step(*args, "unit:D01", limits=LIMITS, reports_root=tmp_path)
        )
    )
    worker.start()
    wait_for(lambda: starts(control, "D01") == 1, 10, "the unit to start")
    with session_scope(pg) as session:  # another worker took the step over meanwhile
        taken = session.execute(
            update(RunStep)
            .where(RunStep.run_id == claim.run_id, RunStep.step == "unit:D01")
            .values(owner="other-host:4242:1")
        ).rowcount
    assert taken == 1
    worker.join(timeout=30)
    with session_scope(pg) as session:
        reports = session.scalars(select(Report).where(Report.run_id == claim.run_id)).all()
        step = session.scalars(
            select(RunStep).where(RunStep.run_id == claim.run_id, RunStep.step == "unit:D01")
        ).one()
        assert reports == [], "the step lost its claim but its Report row was committed"
        assert (step.owner, step.status) == ("other-host:4242:1", "running")
    assert outcome and outcome[0].decision is Decision.SKIP  # type: ignore[attr-defined]


def test_two_deliverers_send_each_message_exactly_once(
    postgres_url: str, pg: Engine, smtp_inbox: SmtpInbox
) -> None:
    with session_scope(pg) as session:
        for number in range(MESSAGES):
            enqueue(
                session,
                NewMessage(f"race-{number}", "reminder", "smtp", f"staff{number}@example.gov.cn",
                           "【培训考试提醒】承接事项业务培训", f"第{number}号提醒"),
            )  # fmt: skip
    policy = RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1))
    start = threading.Barrier(2)
    results: list[DeliveryCounts] = []

    def deliverer() -> None:
        engine = db.make_engine(postgres_url)  # its own pool: separate sessions and connections
        try:
            start.wait(timeout=10)
            results.append(deliver_pending(engine, senders_from(get_settings()), policy, now=NOW))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    received = Counter(smtp_inbox.recipients())
    twice = {to: n for to, n in received.items() if n != 1}
    assert not twice, f"sent more than once: {twice}"
    assert len(received) == MESSAGES
    assert sum(r.sent for r in results) == MESSAGES and all(r.sent for r in results), results
    with session_scope(pg) as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
        attempts = set(session.scalars(select(OutboxMessage.attempts)))
    assert statuses == {"sent": MESSAGES} and attempts == {1}
