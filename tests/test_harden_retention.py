"""Retention (issue 24 item 7): old finished messages, reminder records, audit events, departed
staff and old workbooks are purged per kind; pending messages, young rows and files still named
by a younger report stay; --dry-run counts and deletes nothing. Dates are frozen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from powerlist import db
from powerlist.models import (
    AuditEvent,
    ExamResult,
    ExamSession,
    OutboxMessage,
    Reminder,
    Report,
    Run,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)
from powerlist.retention import purge, purge_now
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
    assert dry == {"outbox": 2, "reminders": 1, "audit": 1, "staff": 0, "rosters": 0,
                   "reports": 0, "import_errors": 0}  # fmt: skip
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
                        retention_audit_days=0, retention_staff_days=0,
                        retention_roster_files_days=0, retention_report_files_days=0,
                        retention_import_errors_days=0)  # fmt: skip
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


def _staff_world(engine: Engine) -> None:
    """QS001 left on 2024-01-10, QS002 on 2027-01-10, QS009 at an unknown day; each has a
    reminder, a training record and an exam result."""
    with db.session_scope(engine) as s:
        make_world(s)
        s.flush()
        unit_id = s.scalar(select(Staff.unit_id))
        s.add(Staff(unit_id=unit_id, staff_no="QS009", name="王五", role="执法人员"))
        s.flush()
        training, exam = (
            s.scalar(select(TrainingRequirement).where(TrainingRequirement.code == code))
            for code in ("TR-DELEG", "EX-LAW")
        )
        assert training is not None and exam is not None
        sitting = ExamSession(requirement_id=exam.id, name="2023年学法考法", year=2023,
                              opens_on=date(2023, 9, 1), closes_on=date(2023, 9, 30))  # fmt: skip
        s.add(sitting)
        s.flush()
        for person in s.scalars(select(Staff)):
            s.add_all([
                Reminder(staff_id=person.id, requirement_id=training.id, due_on=date(2023, 12, 1),
                         stage="due", sent_on=date(2023, 12, 1)),
                TrainingRecord(staff_id=person.id, requirement_id=training.id,
                               completed_on=date(2023, 5, 1), hours=20),
                ExamResult(session_id=sitting.id, staff_id=person.id, taken_on=date(2023, 9, 9),
                           score=90, passed=True),
            ])  # fmt: skip
    for staff_no, left in (("QS001", datetime(2024, 1, 10, 3, tzinfo=UTC)),
                           ("QS002", datetime(2027, 1, 10, 3, tzinfo=UTC))):  # fmt: skip
        with time_machine.travel(left, tick=False), db.session_scope(engine) as s:
            person = s.scalars(select(Staff).where(Staff.staff_no == staff_no)).one()
            person.active = False  # what the roster import does for 在岗 = 否
    with db.session_scope(engine) as s:  # a bulk update leaves no leaving day
        s.execute(update(Staff).where(Staff.staff_no == "QS009").values(active=False))


def _staff_left(engine: Engine) -> dict[str, tuple[date | None, int, int, int]]:
    with db.session_scope(engine) as s:
        return {
            p.staff_no: (
                p.inactive_since,
                *(
                    s.scalar(select(func.count()).select_from(m).where(m.staff_id == p.id)) or 0
                    for m in (Reminder, TrainingRecord, ExamResult)
                ),
            )
            for p in s.scalars(select(Staff))
        }


def test_departed_staff_go_with_their_records_after_the_keep_days(engine: Engine) -> None:
    _staff_world(engine)
    before = _staff_left(engine)
    assert before["QS001"][0] == date(2024, 1, 10) and before["QS002"][0] == date(2027, 1, 10)
    assert before["QS009"][0] is None
    settings = Settings(retention_reminders_days=0, retention_audit_days=0)
    assert settings.retention_staff_days == 1095  # cut-off 2024-06-01 on NOW
    with db.session_scope(engine) as s:
        dry = {r.kind: r.rows for r in purge(s, settings, NOW, dry_run=True)}
    assert dry["staff"] == 1 and _staff_left(engine) == before
    with db.session_scope(engine) as s:
        done = {r.kind: r.rows for r in purge(s, settings, NOW)}
    assert done["staff"] == 1
    after = _staff_left(engine)
    assert "QS001" not in after  # left 2024-01-10: gone with its reminder, training and exam
    assert after["QS002"] == before["QS002"]  # left 2027-01-10: young
    assert after["QS009"] == (NOW.date(), 1, 1, 1)  # the clock starts at the first purge
    with db.session_scope(engine) as s:
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).one()
        assert audit.after["staff"] == 1
    with time_machine.travel(NOW, tick=False), db.session_scope(engine) as s:
        back = s.scalars(select(Staff).where(Staff.staff_no == "QS002")).one()
        back.active = True  # back 在岗: no leaving day any more
    assert _staff_left(engine)["QS002"][0] is None


def _report(s: Session, run: Run, kind: str, path: Path, age: int) -> None:
    s.add(Report(run_id=run.id, kind=kind, file_name=path.name, path=str(path), sha256="0" * 64,
                 bytes=1, rows=1, created_at=NOW - timedelta(days=age)))  # fmt: skip


def test_old_rosters_and_reports_go_from_the_database_and_the_disk(
    engine: Engine, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    files = {
        name: reports / folder / name
        for folder, name in [("training_reminders/2025-01-02/all", "old.xlsx"),
                             ("training_reminders/2025-01-02/all", "reused.xlsx"),
                             ("training_reminders/2027-05-30/all", "young.xlsx"),
                             ("yearly_review/2021/all", "review-2021.xlsx"),
                             ("yearly_review/2026/all", "review-2026.xlsx")]
    }  # fmt: skip
    outside = tmp_path / "elsewhere.xlsx"
    errors = {age: reports / "import-errors" / f"人员名册-错误清单-{age}.xlsx" for age in (40, 5)}
    for path in [*files.values(), outside, *errors.values()]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    for age, path in errors.items():
        stamp = (NOW - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    with db.session_scope(engine) as s:
        make_world(s)
        s.flush()
        runs = [Run(job=job, period=p, status="succeeded") for job, p in
                [("training_reminders", "2025-01-02"), ("training_reminders", "2027-05-30"),
                 ("yearly_review", "2021"), ("yearly_review", "2026")]]  # fmt: skip
        s.add_all(runs)
        s.flush()
        _report(s, runs[0], "training_roster", files["old.xlsx"], 500)
        _report(s, runs[0], "training_city", files["reused.xlsx"], 500)
        _report(s, runs[1], "training_city", files["reused.xlsx"], 2)  # reuses the file
        _report(s, runs[1], "training_roster", files["young.xlsx"], 2)
        _report(s, runs[2], "yearly_review", files["review-2021.xlsx"], 2000)
        _report(s, runs[2], "yearly_summary", outside, 2000)  # not under the reports dir
        _report(s, runs[3], "yearly_review", files["review-2026.xlsx"], 200)
    settings = Settings(reports_dir=reports)
    assert (settings.retention_roster_files_days, settings.retention_report_files_days) == (
        400,
        1825,
    )
    dry = {r.kind: (r.rows, r.files) for r in purge_now(settings, NOW, True, engine)}
    assert dry["rosters"] == (2, 1) and dry["reports"] == (2, 2)
    assert dry["import_errors"] == (0, 1)  # the 40-day-old error workbook (kept 30 days)
    assert all(p.exists() for p in [*files.values(), *errors.values()])
    done = {r.kind: (r.rows, r.files) for r in purge_now(settings, NOW, engine=engine)}
    assert done == dry
    assert sorted(p.name for p in files.values() if p.exists()) == [
        "reused.xlsx", "review-2026.xlsx", "young.xlsx"
    ]  # fmt: skip
    assert not errors[40].exists() and errors[5].exists()
    assert outside.exists()  # only files under the reports folder are ever deleted
    assert not (reports / "yearly_review" / "2021").exists()  # emptied folders go too
    assert (reports / "training_reminders" / "2025-01-02").exists()  # still holds reused.xlsx
    with db.session_scope(engine) as s:
        left = sorted((r.kind, Path(r.path).name) for r in s.scalars(select(Report)))
    assert left == [("training_city", "reused.xlsx"), ("training_roster", "young.xlsx"),
                    ("yearly_review", "review-2026.xlsx")]  # fmt: skip
