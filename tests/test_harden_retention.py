"""Retention (issue 24 item 7): old finished messages, reminder records and audit events are
purged per kind; pending messages and young rows stay; --dry-run counts and deletes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.models import (
    AuditEvent,
    OutboxMessage,
    Reminder,
    Staff,
    TrainingRequirement,
)
from powerlist.retention import purge
from powerlist.settings import Settings
from tests.fixtures_sheets import make_world

POWERLIST = str(Path(sys.executable).with_name("powerlist"))
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with db.session_scope(engine) as s:
        make_world(s)
        s.flush()
        staff = s.scalars(select(Staff)).first()
        requirement = s.scalars(select(TrainingRequirement)).first()
        assert staff is not None and requirement is not None
        for n, (age, status) in enumerate(
            [(500, "sent"), (500, "failed"), (500, "pending"), (100, "sent")]
        ):
            s.add(OutboxMessage(
                dedup_key=f"k{n}", kind="reminder", channel="smtp", recipient=f"p{n}@example.cn",
                subject="提醒", body="请参加培训", status=status,
                created_at=NOW - timedelta(days=age),
            ))  # fmt: skip
        s.flush()
        old_message = s.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == "k0"))
        for n, age in enumerate([500, 10]):
            s.add(Reminder(staff_id=staff.id, requirement_id=requirement.id,
                           due_on=date(2026, 1, 1) + timedelta(days=n), stage="due",
                           sent_on=NOW.date() - timedelta(days=age),
                           outbox_id=old_message if n == 1 else None))  # fmt: skip
        for age in (2000, 30):
            s.add(AuditEvent(actor="t", action="download_report", entity="report",
                             entity_id="1", at=NOW - timedelta(days=age)))  # fmt: skip


def _counts(engine: Engine) -> tuple[int, int, int]:
    with db.session_scope(engine) as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(m)) or 0
            for m in (OutboxMessage, Reminder, AuditEvent)
        )


def test_purge_deletes_what_is_past_its_keep_days_and_nothing_else(engine: Engine) -> None:
    _seed(engine)
    settings = Settings()
    assert (settings.retention_outbox_days, settings.retention_reminders_days) == (400, 400)
    with db.session_scope(engine) as s:
        dry = {r.kind: r.rows for r in purge(s, settings, NOW, dry_run=True)}
    assert dry == {"outbox": 2, "reminders": 1, "audit": 1}
    assert _counts(engine) == (4, 2, 2)
    with db.session_scope(engine) as s:
        done = {r.kind: r.rows for r in purge(s, settings, NOW)}
    assert done == dry
    with db.session_scope(engine) as s:
        left = sorted(m.dedup_key for m in s.scalars(select(OutboxMessage)))
        assert left == ["k2", "k3"]  # the pending one and the young one
        (reminder,) = s.scalars(select(Reminder))
        assert reminder.outbox_id is None  # its message was purged; the record stays
        actions = [a.action for a in s.scalars(select(AuditEvent))]
        assert sorted(actions) == ["download_report", "purge"]


def test_zero_keeps_a_kind_forever(engine: Engine) -> None:
    _seed(engine)
    settings = Settings(retention_outbox_days=0, retention_reminders_days=0,
                        retention_audit_days=0)  # fmt: skip
    with db.session_scope(engine) as s:
        assert {r.rows for r in purge(s, settings, NOW)} == {0}
    assert _counts(engine) == (4, 2, 2)


def test_purge_cli_dry_run_counts_and_keeps(sqlite_url: str, tmp_path: Path) -> None:
    engine = db.make_engine(sqlite_url)
    _seed(engine)
    env = {
        **os.environ,
        "POWERLIST_DATABASE_URL": sqlite_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path),
        "POWERLIST_RETENTION_AUDIT_DAYS": "1",
    }
    dry = subprocess.run([POWERLIST, "purge", "--dry-run", "--json"], env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    rows = {r["kind"]: r for r in json.loads(dry.stdout)}
    # today is before NOW: only the audit event 2000 days before NOW is past one day
    assert rows["audit"]["keep_days"] == 1 and rows["audit"]["rows"] == 1
    assert _counts(engine) == (4, 2, 2)
    real = subprocess.run([POWERLIST, "purge"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert real.returncode == 0 and "审计记录：保留 1 天，已删除 1 条" in real.stdout
    engine.dispose()


def test_beat_runs_the_registered_purge_task_daily() -> None:
    import workers
    from schedules.loader import load_schedule

    entry = load_schedule(known_tasks=set(workers.app.tasks)).entry("purge")
    assert "purge" in workers.app.conf.beat_schedule
    assert entry.task == "powerlist.purge" and entry.queue == "reminders"
