"""The Celery app: `celery -A workers worker -Q reports,reminders` and `celery -A workers beat`."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import beat_init

from powerlist.settings import get_settings
from workers.config import TASK_MODULES, celery_config

log = logging.getLogger(__name__)


def create_app() -> Celery:
    """Build the app from the settings; the beat schedule comes from the schedule TOML."""
    settings = get_settings()
    config = celery_config(settings)
    app = Celery("powerlist", include=config.pop("include"))
    app.conf.update(config)
    return app


app = create_app()
for _module in TASK_MODULES:  # explicit task list
    __import__(_module)


def _install_schedule(celery_app: Celery) -> None:
    """Load the schedule TOML (validated against the registered tasks) into beat_schedule."""
    from schedules.beat import beat_schedule
    from schedules.loader import load_schedule

    settings = get_settings()
    schedule = load_schedule(known_tasks=set(celery_app.tasks), timezone=settings.timezone)
    celery_app.conf.beat_schedule = beat_schedule(schedule, settings)


_install_schedule(app)


@beat_init.connect
def _reconcile_at_start(sender: Any = None, **_: Any) -> None:
    """Catch up at beat start: a beat that was down (or lost its schedule file) loses nothing."""
    log.info("beat started: sending powerlist.reconcile")
    # By name: workers/ only configures the app; the task itself lives in tasks/control.py.
    app.send_task("powerlist.reconcile", queue=get_settings().queue_reminders)
