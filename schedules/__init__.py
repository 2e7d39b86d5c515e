"""The beat schedule (定时任务) as data: `powerlist.toml` beside this file, loaded and validated
by `schedules.loader`; `schedules.beat` turns it into Celery's beat schedule."""
