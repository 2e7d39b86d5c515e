"""The schedule as data: validation, fire times, derived periods, catch-up, reaping, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from powerlist.db import session_scope
from powerlist.models import OutboxMessage, RunStep
from powerlist.runtime import catchup, ledger
from powerlist.runtime.reaper import reap
from powerlist.settings import Settings
from schedules.loader import ScheduleError, load_schedule
from workers.config import celery_config

SHANGHAI = ZoneInfo("Asia/Shanghai")
TASKS = {
    "powerlist.yearly_review",
    "powerlist.delegation_assessment",
    "powerlist.training_reminders",
    "powerlist.reconcile",
    "powerlist.reap",
    "powerlist.start_run",
    "powerlist.deliver_outbox",
    "powerlist.check_calendar",
    "powerlist.adjustment_reminders",
    "powerlist.adjustment_review",
    "powerlist.adjustment_catch_up",
    "powerlist.purge",
}


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_schedule_is_valid_against_the_registered_tasks() -> None:
    import workers

    schedule = load_schedule(known_tasks=set(workers.app.tasks))
    assert {e.name for e in schedule.entries} >= {"yearly_review", "reconcile", "reap"}
    assert set(workers.app.conf.beat_schedule) == {e.name for e in schedule.entries}
    beat = workers.app.conf.beat_schedule["yearly_review"]
    assert beat["kwargs"] == {"entry": "yearly_review", "trigger": "beat"}
    assert beat["options"]["queue"] == "reports"


def test_yearly_review_fires_after_10_january_for_the_previous_year() -> None:
    entry = load_schedule(known_tasks=TASKS).entry("yearly_review")
    now = datetime(2026, 11, 26, 15, tzinfo=SHANGHAI)
    fires = entry.next_fire_times(now, 3)
    assert fires[0] == datetime(2027, 1, 11, 8, 30, tzinfo=SHANGHAI)
    assert [entry.period.period_for(f.date()).label for f in fires] == ["2026"] * 3
    quarterly = load_schedule(known_tasks=TASKS).entry("delegation_assessment_quarterly")
    fire = quarterly.next_fire_times(datetime(2026, 7, 1, tzinfo=SHANGHAI), 1)[0]
    assert (fire.date().isoformat(), quarterly.period.period_for(fire.date()).label) == (
        "2026-07-05",
        "2026-Q2",
    )


_JOB = "task = 'powerlist.nope'\ncron = '0 1 * * *'\nqueue = 'reports'\n"
_YEARLY = "task = 'powerlist.yearly_review'\ncron = '0 1 * * *'\nqueue = 'reports'\n"
_RECONCILE = "task = 'powerlist.reconcile'\nevery = '5m'\nqueue = 'reminders'\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_JOB + "period = 'day'", "not a registered task"),
        (_YEARLY.replace("0 1", "61 1") + "period = 'day'", "field 'cron'"),
        (_YEARLY.replace("reports", "fast") + "period = 'day'", "queue 'fast'"),
        (_YEARLY, "'period' is required"),
        (_YEARLY + "period = 'week'", "field 'period'"),
        ("task = 'powerlist.yearly_review'\nqueue = 'reports'\nperiod = 'day'", "exactly one of"),
        (_RECONCILE.replace("5m", "5 minutes"), "field 'every'"),
        (_RECONCILE + "period = 'day'", "takes no period"),
        (_RECONCILE + "runs_on = 'sunday'", "runs_on"),
        (_RECONCILE + "speed = 1", "unknown field"),
        (_YEARLY.replace("0 1 * * *", "0 1 1 * 1") + "period = 'day'", "both day-of-month"),
    ],
)
def test_a_bad_entry_is_refused_naming_file_entry_and_field(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, f'[[entry]]\nname = "broken"\n{body}\n')
    with pytest.raises(ScheduleError) as error:
        load_schedule(path, known_tasks=TASKS)
    assert str(path) in str(error.value) and "'broken'" in str(error.value)
    assert message in str(error.value)


def _catch_up_schedule(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        """
[catch_up]
grace_minutes = 15
[[entry]]
name = "yearly_review"
task = "powerlist.yearly_review"
cron = "30 8 11-20 1 *"
queue = "reports"
period = "year-1"
look_back_days = 400
[[entry]]
name = "training_reminders"
task = "powerlist.training_reminders"
cron = "30 8 * * *"
queue = "reminders"
period = "day"
runs_on = "working_day"
look_back_days = 3
""",
    )


def test_expected_runs_cover_the_look_back_window_and_respect_the_grace(tmp_path: Path) -> None:
    schedule = load_schedule(_catch_up_schedule(tmp_path), known_tasks=TASKS)
    now = datetime(2027, 1, 12, 8, 40, tzinfo=SHANGHAI)  # 10 minutes after the 12 Jan fire
    expected = catchup.expected_runs(schedule, now)
    keys = [(e.job, e.period) for e in expected]
    assert ("yearly_review", "2026") in keys and ("yearly_review", "2025") in keys
    assert keys.count(("yearly_review", "2026")) == 1  # 11 and 12 Jan: one key
    reminders = [p for j, p in keys if j == "training_reminders"]
    assert reminders == ["2027-01-10", "2027-01-11"]  # 3 days back; 12 Jan is inside the grace
    weekdays_only = catchup.expected_runs(schedule, now, lambda day: day.weekday() < 5)
    assert [e.period for e in weekdays_only if e.job == "training_reminders"] == ["2027-01-11"]
    live = load_schedule(
        _write(
            tmp_path,
            schedule.path.read_text().replace("[catch_up]", "[catch_up]\nnot_before = 2027-01-11"),
        ),
        known_tasks=TASKS,
    )
    assert [(e.job, e.period) for e in catchup.expected_runs(live, now)] == [
        ("training_reminders", "2027-01-11"),
        ("yearly_review", "2026"),
    ]


def test_reconcile_starts_missing_runs_once_and_alerts_once(engine: Engine, tmp_path: Path) -> None:
    schedule = load_schedule(_catch_up_schedule(tmp_path), known_tasks=TASKS)
    expected = catchup.expected_runs(schedule, datetime(2027, 1, 12, 9, tzinfo=SHANGHAI))
    with session_scope(engine) as session:
        first = catchup.reconcile(session, expected)
    with session_scope(engine) as session:
        second = catchup.reconcile(session, expected)
        alerts = session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "alert")
        ).scalar_one()
    assert len(first.started) == len(expected) and second.started == []
    assert alerts == len(expected) and second.alerts == []
    run_id = first.started[0][1].run_id
    with session_scope(engine) as session:
        ledger.complete_run(
            session, run_id, 1, status="failed", now=datetime.now(UTC), error="boom"
        )
    with session_scope(engine) as session:
        third = catchup.reconcile(session, expected)
    assert third.started == [] and len(third.alerts) == 1 and third.alerts[0].startswith("failed:")


def test_the_reaper_requeues_silent_runs_and_dead_claims_once(engine: Engine) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        silent = ledger.claim_run(session, "test_reports", "2026", "all", "cli")
        fresh = ledger.claim_run(session, "test_reports", "2027", "all", "cli")
        step = session.execute(select(RunStep).where(RunStep.run_id == fresh.run_id)).scalar_one()
        step.status, step.owner = "running", "elsewhere:1"
        step.heartbeat_at = now + timedelta(seconds=25)
    later = now + timedelta(seconds=30)
    with session_scope(engine) as session:
        found = reap(session, later, lease=20)
    assert [(r.run_id, r.steps) for r in found] == [(silent.run_id, ["plan"])]
    with session_scope(engine) as session:
        assert reap(session, later + timedelta(seconds=1), lease=20) == []  # reserved
    with session_scope(engine) as session:
        found = reap(session, later + timedelta(seconds=60), lease=20)
    assert sorted(r.run_id for r in found) == sorted([silent.run_id, fresh.run_id])


def test_the_effective_celery_settings_guard_against_loss_and_duplicates() -> None:
    settings = Settings(task_time_limit=1800, task_soft_time_limit=1500, visibility_timeout=3600)
    config = celery_config(settings)
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["accept_content"] == ["json"] and config["task_serializer"] == "json"
    assert config["broker_connection_retry_on_startup"] is True
    for key in ("broker_transport_options", "result_backend_transport_options"):
        assert config[key]["visibility_timeout"] == 3600 > config["task_time_limit"]
    assert config["visibility_timeout"] == 3600
    assert {q.name for q in config["task_queues"]} == {"reports", "reminders"}
    assert config["task_soft_time_limit"] < config["task_time_limit"]
    with pytest.raises(ValueError, match="POWERLIST_VISIBILITY_TIMEOUT"):
        Settings(task_time_limit=1800, task_soft_time_limit=1500, visibility_timeout=1800)


def test_the_running_app_uses_those_settings() -> None:
    import workers

    conf = workers.app.conf
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.task_ignore_result
    assert conf.worker_prefetch_multiplier == 1 and conf.timezone == "Asia/Shanghai"


def test_a_beat_dispatch_derives_its_period_from_its_own_fire_time() -> None:
    entry = load_schedule(known_tasks=TASKS).entry("yearly_review")
    late = datetime(2027, 1, 12, 8, 30, 2, tzinfo=SHANGHAI)  # the message arrived 2 s late
    assert entry.last_fire(late) == datetime(2027, 1, 12, 8, 30, tzinfo=SHANGHAI)
    assert entry.period.period_for(entry.last_fire(late).date()).label == "2026"
    quarterly = load_schedule(known_tasks=TASKS).entry("delegation_assessment_quarterly")
    fire = quarterly.last_fire(datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI))
    assert (fire.date().isoformat(), quarterly.period.period_for(fire.date()).label) == (
        "2027-01-05",
        "2026-Q4",
    )
