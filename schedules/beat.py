"""Turn the validated schedule into Celery's beat_schedule (crontab in the schedule's zone)."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from powerlist.settings import Settings
from schedules.loader import Schedule


def beat_schedule(schedule: Schedule, settings: Settings) -> dict[str, dict[str, Any]]:
    """One beat entry per schedule entry; job entries pass their name so the task derives the
    period from its own fire time."""
    result: dict[str, dict[str, Any]] = {}
    for entry in schedule.entries:
        if entry.cron is not None:
            minute, hour, day_of_month, month, day_of_week = entry.cron.split()
            when: Any = crontab(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month,
                day_of_week=day_of_week,
            )
        else:
            when = entry.every
        kwargs = {"entry": entry.name, "trigger": "beat"} if entry.job else {}
        if entry.job_name:
            kwargs["job"] = entry.job_name
        result[entry.name] = {
            "task": entry.task,
            "schedule": when,
            "kwargs": kwargs,
            "options": {"queue": settings.queue_for(entry.queue)},
        }
    return result
