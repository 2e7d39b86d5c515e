"""Reminders through the job on SQLite and PostgreSQL: holidays, skipped days, twice, at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from powerlist import db
from powerlist.db import session_scope
from powerlist.jobs import RunContext
from powerlist.models import OutboxMessage, Reminder, Run, Staff
from powerlist.periods import PeriodKind, period_containing
from powerlist.training import job
from powerlist.training.alerts import alert_calendar_coverage
from powerlist.training.digest import enqueue_escalation_digests
from powerlist.workdays import UnknownYear, is_working_day
from tests.fixtures_training import (
    SmtpInbox,
    World,
    build_world,
    complete,
    run_day,
    settings_env,
    smtp_inbox,
    training_settings,
)

__all__ = ["settings_env", "smtp_inbox", "training_settings"]  # fixtures used by name

# alice due 10-12 (Mon), bob due 10-08 (first day after 国庆), carol done (due 2027), dave due
# 11-09 so that his 30-day stage falls on Saturday 10-10, a 调休 working day.
COMPLETIONS = {
    "alice": date(2025, 10, 12),
    "bob": date(2025, 10, 8),
    "carol": date(2026, 6, 1),
    "dave": date(2025, 11, 9),
}


def reminders(engine: Engine, world: World) -> dict[str, list[tuple[str, date, bool]]]:
    """Per person: (stage, sent_on, has a message) in sending order."""
    names = {v: k for k, v in world.staff.items()}
    found: dict[str, list[tuple[str, date, bool]]] = {name: [] for name in world.staff}
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                Reminder.staff_id, Reminder.stage, Reminder.sent_on, Reminder.outbox_id
            ).order_by(Reminder.sent_on, Reminder.id)
        )
        for staff_id, stage, sent_on, outbox_id in rows:
            found[names[staff_id]].append((stage, sent_on, outbox_id is not None))
    return found


def outbox_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


@pytest.mark.usefixtures("training_settings")
def test_every_day_around_national_day_sends_each_stage_once_and_never_on_a_holiday(
    engine: Engine, tmp_path: Path, smtp_inbox: SmtpInbox
) -> None:
    world = build_world(engine, COMPLETIONS)
    day = date(2026, 9, 1)
    while day <= date(2026, 10, 31):
        run_day(engine, day, tmp_path)
        day += timedelta(days=1)
    sent = reminders(engine, world)
    assert sent["alice"] == [
        ("before_30", date(2026, 9, 14), True),  # 09-12 is a Saturday: next working day
        ("before_7", date(2026, 10, 8), True),  # 10-05 is 国庆: first day back
        ("due", date(2026, 10, 12), True),
        ("overdue_1", date(2026, 10, 19), True),
        ("overdue_2", date(2026, 10, 26), True),
        ("escalation", date(2026, 10, 26), True),
    ]
    assert sent["bob"] == [
        ("before_30", date(2026, 9, 8), True),
        ("due", date(2026, 10, 8), True),  # before_7 (10-01) waited through the holiday…
        ("before_7", date(2026, 10, 8), True),  # …and rides on the same message
        ("overdue_1", date(2026, 10, 15), True),
        ("overdue_2", date(2026, 10, 22), True),
        ("escalation", date(2026, 10, 22), True),
        ("overdue_3", date(2026, 10, 29), True),
    ]
    assert sent["carol"] == []  # completed: never reminded
    assert sent["dave"] == [("before_30", date(2026, 10, 10), True)]  # a 调休 Saturday
    all_days = [row[1] for rows in sent.values() for row in rows]
    assert all(is_working_day(d) for d in all_days)
    with session_scope(engine) as session:
        messages = list(session.scalars(select(OutboxMessage)))
    by_kind = Counter(m.kind for m in messages)
    # personal messages: alice 5, bob 5 (before_7 carried), dave 1; escalations to head + 市司法局
    assert by_kind == {"reminder": 11, "escalation": 4}
    assert {m.recipient for m in messages if m.kind == "escalation"} == {
        "head@qs.example.gov.cn",
        "sfj@example.gov.cn",
    }
    assert all(m.status == "sent" for m in messages)
    assert sorted(smtp_inbox.recipients()) == sorted(m.recipient for m in messages)
    personal_per_day = Counter(
        (m.recipient, m.payload["sent_on"]) for m in messages if m.kind == "reminder"
    )
    assert max(personal_per_day.values()) == 1  # nobody gets two reminders in one day


@pytest.mark.usefixtures("training_settings")
def test_a_job_that_skipped_days_sends_what_was_missed_once(engine: Engine, tmp_path: Path) -> None:
    world = build_world(engine, COMPLETIONS)
    run_day(engine, date(2026, 10, 9), tmp_path)  # nothing ran in September or before 国庆
    sent = reminders(engine, world)
    assert sent["alice"] == [
        ("before_7", date(2026, 10, 9), True),
        ("before_30", date(2026, 10, 9), True),
    ]
    assert sent["bob"] == [
        ("due", date(2026, 10, 9), True),
        ("before_7", date(2026, 10, 9), True),
        ("before_30", date(2026, 10, 9), True),
    ]
    with session_scope(engine) as session:
        outbox_ids = {
            name: {o for s, o in session.execute(
                select(Reminder.staff_id, Reminder.outbox_id).where(Reminder.staff_id == sid)
            )}
            for name, sid in world.staff.items() if name in ("alice", "bob")
        }  # fmt: skip
    assert all(len(ids) == 1 for ids in outbox_ids.values())  # one message each
    assert outbox_count(engine) == 2


@pytest.mark.usefixtures("training_settings")
def test_running_the_same_day_twice_sends_nothing_more(engine: Engine, tmp_path: Path) -> None:
    build_world(engine, COMPLETIONS)
    first = run_day(engine, date(2026, 10, 26), tmp_path)
    count = outbox_count(engine)
    with session_scope(engine) as session:
        session.execute(Run.__table__.delete())  # a fresh ledger: only the reminder key protects
    second = run_day(engine, date(2026, 10, 26), tmp_path)
    assert outbox_count(engine) == count
    assert first["reminders"] == second["reminders"] > 0  # the day's totals, unchanged


@pytest.mark.usefixtures("training_settings")
def test_two_concurrent_runs_send_each_stage_once(engine: Engine, tmp_path: Path) -> None:
    world = build_world(engine, COMPLETIONS)
    period = period_containing(date(2026, 10, 26), PeriodKind.DAY)
    with session_scope(engine) as session:
        runs = [Run(job=job.JOB, period=period.label, scope=s) for s in ("all", "u-qs")]
        session.add_all(runs)
        session.flush()
        contexts = [RunContext(r.id, job.JOB, period, r.scope, tmp_path / str(r.id)) for r in runs]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(ctx: RunContext) -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope(engine) as session:
                job.run_unit(session, ctx, "u-qs")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    sent = reminders(engine, world)
    assert sorted(s for s, _, _ in sent["alice"]) == [
        *("before_30", "before_7", "due", "escalation", "overdue_1", "overdue_2")
    ]
    # alice, bob: one personal message each; dave: his 30-day notice; escalations: the digest
    assert outbox_count(engine) == 3
    with session_scope(engine) as session:
        assert enqueue_escalation_digests(session, date(2026, 10, 26), None) == 2
        assert enqueue_escalation_digests(session, date(2026, 10, 26), None) == 0  # once a day
        digests = list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "escalation"))
        )
    assert {m.recipient for m in digests} == {"head@qs.example.gov.cn", "sfj@example.gov.cn"}
    for digest in digests:  # one message listing both overdue people
        assert "alice" in digest.body and "bob" in digest.body
        assert digest.body.count("逾期") >= 3
    keys = Counter((s, st) for name, rows in sent.items() for st, _, _ in rows for s in [name])
    assert max(keys.values()) == 1


@pytest.mark.usefixtures("training_settings")
def test_completing_a_requirement_stops_its_reminders(engine: Engine, tmp_path: Path) -> None:
    world = build_world(engine, COMPLETIONS)
    run_day(engine, date(2026, 10, 8), tmp_path)
    complete(engine, world, "alice", date(2026, 10, 9))
    for day in (date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 26)):
        run_day(engine, day, tmp_path)
    assert [stage for stage, _, _ in reminders(engine, world)["alice"]] == [
        "before_7",
        "before_30",
    ]


@pytest.mark.usefixtures("training_settings")
def test_a_holiday_run_sends_nothing(engine: Engine, tmp_path: Path) -> None:
    world = build_world(engine, COMPLETIONS)
    summary = run_day(engine, date(2026, 10, 5), tmp_path)
    assert summary == {"day": "2026-10-05", "working_day": False, "skipped": "非工作日"}
    assert all(rows == [] for rows in reminders(engine, world).values())


@pytest.mark.usefixtures("training_settings")
def test_an_unknown_year_fails_the_run_and_raises_an_alert(
    engine: Engine, tmp_path: Path, settings_env: Any
) -> None:
    build_world(engine, COMPLETIONS)
    settings_env(webhook_url="http://127.0.0.1:9/robot?key=K", alert_email="ops@example.gov.cn")
    with pytest.raises(UnknownYear, match="2027"):
        run_day(engine, date(2027, 1, 4), tmp_path)
    with pytest.raises(UnknownYear):
        run_day(engine, date(2027, 1, 5), tmp_path)
    with session_scope(engine) as session:
        alerts = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert")))
        assert session.scalar(select(func.count()).select_from(Reminder)) == 0
        assert session.scalar(select(func.count()).select_from(Staff)) == 4
    assert sorted((a.channel, a.recipient) for a in alerts) == [
        ("smtp", "ops@example.gov.cn"),
        ("webhook", "http://127.0.0.1:9/robot?key=K"),
    ]  # once per year, however many runs fail
    assert "2027年的节假日安排未知" in alerts[0].body


def test_the_calendar_check_alerts_weekly_in_november_when_next_year_is_missing(
    engine: Engine, settings_env: Any
) -> None:
    settings_env(alert_email="ops@example.gov.cn", webhook_url=None)
    with session_scope(engine) as session:
        assert alert_calendar_coverage(session, date(2026, 10, 30)) is None
        for day in (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 9)):
            assert "2027" in (alert_calendar_coverage(session, day) or "")
    with session_scope(engine) as session:
        alerts = list(session.scalars(select(OutboxMessage)))
    assert [(a.kind, a.recipient) for a in alerts] == [("alert", "ops@example.gov.cn")] * 2


@pytest.mark.usefixtures("training_settings")
def test_someone_without_an_address_is_reminded_once_one_is_recorded(
    engine: Engine, tmp_path: Path
) -> None:
    world = build_world(engine, {"alice": date(2025, 10, 12)})
    with session_scope(engine) as session:
        alice = session.get(Staff, world.staff["alice"])
        assert alice is not None
        alice.email = None
    run_day(engine, date(2026, 9, 14), tmp_path)
    assert reminders(engine, world)["alice"] == []  # nothing recorded as sent
    with session_scope(engine) as session:
        alice = session.get(Staff, world.staff["alice"])
        assert alice is not None
        alice.email = "alice@qs.example.gov.cn"
    run_day(engine, date(2026, 9, 15), tmp_path)
    assert reminders(engine, world)["alice"] == [("before_30", date(2026, 9, 15), True)]


@pytest.mark.postgres
@pytest.mark.usefixtures("training_settings")
def test_a_day_with_many_reminders_refreshes_the_planner_statistics(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where autovacuum is off, the next day's lookups would plan with pre-day estimates."""
    engine = db.make_engine(postgres_url)
    try:
        build_world(engine, COMPLETIONS)

        def analyzed() -> float:
            with session_scope(engine) as session:
                query = "SELECT reltuples FROM pg_class WHERE relname = 'reminders'"
                return float(session.execute(text(query)).scalar_one())

        assert analyzed() < 0  # never analyzed: PostgreSQL does not know the table's size
        monkeypatch.setattr(job, "ANALYZE_AFTER_ROWS", 10**9)
        run_day(engine, date(2026, 10, 26), tmp_path)
        assert analyzed() < 0  # a small day leaves it to autovacuum
        monkeypatch.setattr(job, "ANALYZE_AFTER_ROWS", 1)
        with session_scope(engine) as session:
            session.execute(Run.__table__.delete())  # the same day again, as a fresh run
        run_day(engine, date(2026, 10, 26), tmp_path)  # counts the day's reminders again
        with session_scope(engine) as session:
            rows = session.scalar(select(func.count()).select_from(Reminder))
        assert rows and analyzed() == rows
    finally:
        engine.dispose()
