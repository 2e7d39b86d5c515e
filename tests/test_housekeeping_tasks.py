"""The housekeeping tasks beat runs: the calendar check and outbox delivery (called directly)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from powerlist import db
from powerlist.api.health import last_successes
from powerlist.models import OutboxMessage, Run, RunStep
from powerlist.settings import get_settings
from workers.app import app

check_calendar = app.tasks["powerlist.check_calendar"]  # called directly: no broker involved
deliver_outbox = app.tasks["powerlist.deliver_outbox"]


@pytest.fixture
def configured_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("POWERLIST_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("POWERLIST_WEBHOOK_URL", "http://127.0.0.1:9/robot")  # nothing listens
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def alerts(url: str) -> list[OutboxMessage]:
    with db.session_scope(db.engine_for(url)) as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "alert")))


def test_november_check_alerts_once_a_week_when_next_year_is_unknown(configured_db: str) -> None:
    with time_machine.travel(datetime(2026, 11, 26, 1, 0, tzinfo=UTC)):
        text = check_calendar()
        assert text is not None and "2027" in text
        check_calendar()  # the same week: no second alert
    assert len(alerts(configured_db)) == 1
    with time_machine.travel(datetime(2026, 12, 3, 1, 0, tzinfo=UTC)):
        check_calendar()
    assert len(alerts(configured_db)) == 2


def test_no_alert_outside_november_and_december(configured_db: str) -> None:
    with time_machine.travel(datetime(2026, 6, 1, 1, 0, tzinfo=UTC)):
        assert check_calendar() is None
    assert alerts(configured_db) == []


def test_delivery_records_a_failed_attempt_for_retry(configured_db: str) -> None:
    with time_machine.travel(datetime(2026, 11, 26, 1, 0, tzinfo=UTC)):
        check_calendar()
    counts = deliver_outbox()
    assert counts["sent"] == 0 and counts["retrying"] == 1
    [message] = alerts(configured_db)
    assert message.status != "sent" and message.attempts == 1 and message.error


def test_a_scheduled_reminders_fire_on_a_saturday_is_recorded_as_skipped(
    configured_db: str,
) -> None:
    start = app.tasks["powerlist.training_reminders"]
    saturday_0830 = datetime(2026, 11, 7, 0, 30, tzinfo=UTC)  # 08:30 in Asia/Shanghai
    with time_machine.travel(saturday_0830, tick=False):
        answer = start(entry="training_reminders", trigger="beat")
        again = start(entry="training_reminders", trigger="beat")
    assert answer["skipped"] == "training_reminders 2026-11-07：跳过：非工作日"
    assert again["run_id"] == answer["run_id"]
    with db.session_scope(db.engine_for(configured_db)) as session:
        [run] = session.scalars(select(Run))
        assert (run.period, run.status, run.summary) == (
            "2026-11-07", "skipped", {"skipped": "非工作日"},
        )  # fmt: skip
        assert last_successes(session, ["training_reminders"]) == {"training_reminders": None}
        assert session.scalar(select(RunStep.status).where(RunStep.run_id == run.id)) == "done"


def test_a_non_working_candidate_day_of_a_yearly_entry_records_nothing(
    configured_db: str,
) -> None:
    start = app.tasks["powerlist.yearly_review"]
    sunday_0830 = datetime(2026, 1, 11, 0, 30, tzinfo=UTC)  # the 12th (Monday) will run 2025
    with time_machine.travel(sunday_0830, tick=False):
        answer = start(entry="yearly_review", trigger="beat")
    assert answer == {"skipped": "yearly_review 2025：跳过：非工作日"}
    with db.session_scope(db.engine_for(configured_db)) as session:
        assert session.scalars(select(Run)).all() == []


def test_the_adjustment_reminder_task_runs_the_daily_pass(configured_db: str) -> None:
    with time_machine.travel(datetime(2026, 11, 30, 1, tzinfo=UTC)):
        answer = app.tasks["powerlist.adjustment_reminders"]()
    assert answer == {"rounds": 0, "working_day": True, "reminded": [], "errors": []}
