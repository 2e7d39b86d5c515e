"""The housekeeping tasks beat runs: the calendar check and outbox delivery (called directly)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from powerlist import db
from powerlist.models import OutboxMessage
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


def test_the_adjustment_reminder_task_runs_the_daily_pass(configured_db: str) -> None:
    with time_machine.travel(datetime(2026, 11, 30, 1, tzinfo=UTC)):
        answer = app.tasks["powerlist.adjustment_reminders"]()
    assert answer == {"rounds": 0, "working_day": True, "reminded": [], "errors": []}
