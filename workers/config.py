"""Celery configuration derived from the settings (a plain dict, so tests can read the values).

Chosen for no lost and no double work (see /work/shared/research/reliability.md): late acks and
requeue on a lost worker; prefetch 1; time limits below the Redis visibility timeout, which is
set in every place Celery reads it; JSON only; results ignored (the run ledger is the record).
"""

from __future__ import annotations

from typing import Any

from kombu import Queue

from powerlist.settings import Settings

TASK_MODULES = ("tasks.jobs", "tasks.control")


def transport_options(settings: Settings) -> dict[str, Any]:
    """Redis transport options: visibility timeout and how often dead workers' messages return."""
    return {
        "visibility_timeout": settings.visibility_timeout,
        "unacked_restore_interval": settings.unacked_restore_interval,
        "unacked_restore_throttle": 1,
    }


def celery_config(settings: Settings) -> dict[str, Any]:
    """Every Celery setting powerlist relies on."""
    reports, reminders = settings.queue_reports, settings.queue_reminders
    options = transport_options(settings)
    return {
        "broker_url": settings.broker_url,
        "result_backend": settings.result_backend_url or settings.broker_url,
        "broker_transport_options": options,
        "result_backend_transport_options": dict(options),
        "visibility_timeout": settings.visibility_timeout,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "event_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.task_soft_time_limit,
        "task_time_limit": settings.task_time_limit,
        "task_ignore_result": True,
        "task_track_started": False,
        "worker_max_tasks_per_child": 200,
        "timezone": settings.timezone,
        "enable_utc": True,
        "task_queues": (Queue(reports), Queue(reminders)),
        "task_default_queue": reminders,
        "task_create_missing_queues": False,
        "include": list(TASK_MODULES),
    }
