"""Scheduled calendar check: alert in November and December if next year's holidays are missing."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from powerlist.outbox.store import enqueue_alert
from powerlist.workdays import calendar_coverage_alert


def alert_calendar_coverage(session: Session, today: date) -> str | None:
    """Enqueue the coverage alert (at most once per ISO week); the alert text, or None if fine."""
    text = calendar_coverage_alert(today)
    if text is None:
        return None
    year, week, _ = today.isocalendar()
    enqueue_alert(session, f"calendar:{today.year + 1}:{year}-W{week:02d}", "节假日数据缺失", text)
    return text
