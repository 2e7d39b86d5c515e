"""Load and validate the schedule TOML: every entry names a task, a time, a queue and a period rule.

Pure Python (no Celery): the CLI, the reconciler and beat all read the schedule through here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter

from powerlist.periods import Period, PeriodKind, period_containing

HOUSEKEEPING_TASKS = frozenset(
    {
        "powerlist.reconcile",
        "powerlist.reap",
        "powerlist.deliver_outbox",
        "powerlist.check_calendar",
        "powerlist.adjustment_reminders",
        "powerlist.adjustment_catch_up",
        "powerlist.purge",
    }
)
QUEUES = frozenset({"reports", "reminders"})
RUNS_ON = frozenset({"any_day", "working_day"})
_PERIOD = re.compile(r"^(year|quarter|month|day)([+-]\d+)?$")
_EVERY = re.compile(r"^(\d+)(s|m|h)$")
_UNITS = {"s": 1, "m": 60, "h": 3600}
_FIELDS = frozenset(
    {"name", "description", "task", "job", "cron", "every", "queue", "period", "runs_on"}
    | {"look_back_days"}
)


class ScheduleError(ValueError):
    """A schedule file that cannot be used; the message names the file, entry and field."""


@dataclass(frozen=True)
class PeriodRule:
    """How a fire time becomes a period: the period of `kind` containing it, moved by `offset`."""

    kind: PeriodKind
    offset: int

    def period_for(self, day: date) -> Period:
        """The period this rule derives from a local fire date."""
        period = period_containing(day, self.kind)
        for _ in range(abs(self.offset)):
            period = period.next() if self.offset > 0 else period.previous()
        return period

    def __str__(self) -> str:
        return f"{self.kind.value}{self.offset:+d}" if self.offset else self.kind.value


@dataclass(frozen=True)
class Entry:
    """One schedule entry."""

    name: str
    task: str
    queue: str
    description: str
    cron: str | None
    every: timedelta | None
    period: PeriodRule | None
    runs_on: str
    look_back: timedelta
    job_name: str | None

    @property
    def job(self) -> str | None:
        """The job a start entry runs (None for housekeeping such as reconcile)."""
        if self.period is None:
            return None
        return self.job_name or self.task.removeprefix("powerlist.")

    def when(self) -> str:
        """The timing as written: the cron expression or "every 5m"."""
        return self.cron if self.cron else f"every {_human(self.every)}"

    def fire_times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Cron fire times in (start, end], both aware datetimes (in the schedule's zone)."""
        if self.cron is None:
            return
        it = croniter(self.cron, start)
        while (fire := it.get_next(datetime)) <= end:
            yield fire

    def next_fire_times(self, now: datetime, count: int) -> list[datetime]:
        """The next `count` fire times after `now`."""
        if self.every is not None:
            return [now + self.every * (i + 1) for i in range(count)]
        assert self.cron is not None
        it = croniter(self.cron, now)
        return [it.get_next(datetime) for _ in range(count)]

    def last_fire(self, now: datetime) -> datetime:
        """The fire time a dispatch at `now` belongs to (now itself for interval entries)."""
        if self.cron is None:
            return now
        return croniter(self.cron, now + timedelta(seconds=1)).get_prev(datetime)


@dataclass(frozen=True)
class Schedule:
    """A validated schedule file."""

    path: Path
    entries: tuple[Entry, ...]
    grace: timedelta
    timezone: str
    not_before: date | None = None  # catch-up ignores fire times before this (go-live) date

    def entry(self, name: str) -> Entry:
        """The entry called `name` (KeyError if none)."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(f"schedule {self.path} has no entry {name!r}")

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)


def default_schedule_path() -> Path:
    """POWERLIST_SCHEDULE_FILE, else schedules/powerlist.toml."""
    from powerlist.settings import get_settings

    return get_settings().schedule_file or Path(__file__).with_name("powerlist.toml")


def load_schedule(
    path: Path | None = None,
    *,
    known_tasks: frozenset[str] | set[str] | None = None,
    timezone: str = "Asia/Shanghai",
) -> Schedule:
    """Read and validate a schedule file; raises ScheduleError naming file, entry and field."""
    path = path or default_schedule_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScheduleError(f"{path}: {error}") from error
    catch_up = data.get("catch_up", {})
    default_look_back = _number(path, "catch_up", "look_back_days", catch_up, 45)
    grace = timedelta(minutes=_number(path, "catch_up", "grace_minutes", catch_up, 15))
    not_before = catch_up.get("not_before")
    if not_before is not None and not isinstance(not_before, date):
        raise ScheduleError(f"{path}: catch_up: field 'not_before' must be a date (2026-12-01)")
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ScheduleError(f"{path}: no [[entry]] tables")
    entries = tuple(
        _entry(path, index, raw, known_tasks, default_look_back)
        for index, raw in enumerate(raw_entries, start=1)
    )
    names = [e.name for e in entries]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise ScheduleError(f"{path}: duplicate entry names {duplicates}")
    return Schedule(path, entries, grace, timezone, not_before)


def _entry(
    path: Path,
    index: int,
    raw: dict[str, Any],
    known_tasks: frozenset[str] | set[str] | None,
    default_look_back: float,
) -> Entry:
    name = str(raw.get("name") or f"#{index}")
    where = f"{path}: entry {name!r}"
    if unknown := sorted(set(raw) - _FIELDS):
        raise ScheduleError(f"{where}: unknown field(s) {unknown}")
    task = _required(where, raw, "task")
    if known_tasks is not None and task not in known_tasks:
        raise ScheduleError(f"{where}: task {task!r} is not a registered task")
    queue = _required(where, raw, "queue")
    if queue not in QUEUES:
        raise ScheduleError(f"{where}: queue {queue!r} must be one of {sorted(QUEUES)}")
    cron, every = _timing(where, raw)
    period = _period(where, raw.get("period"))
    if period is None and task not in HOUSEKEEPING_TASKS:
        raise ScheduleError(f"{where}: field 'period' is required for a job entry")
    if period is not None and task in HOUSEKEEPING_TASKS:
        raise ScheduleError(f"{where}: {task} takes no period")
    runs_on = str(raw.get("runs_on", "any_day"))
    if runs_on not in RUNS_ON:
        raise ScheduleError(f"{where}: runs_on {runs_on!r} must be one of {sorted(RUNS_ON)}")
    look_back = _number(path, f"entry {name!r}", "look_back_days", raw, default_look_back)
    return Entry(
        name=name,
        task=task,
        queue=queue,
        description=str(raw.get("description", "")),
        cron=cron,
        every=every,
        period=period,
        runs_on=runs_on,
        look_back=timedelta(days=look_back),
        job_name=raw.get("job"),
    )


def _required(where: str, raw: dict[str, Any], field: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(f"{where}: field {field!r} is required (a string)")
    return value.strip()


def _timing(where: str, raw: dict[str, Any]) -> tuple[str | None, timedelta | None]:
    cron, every = raw.get("cron"), raw.get("every")
    if (cron is None) == (every is None):
        raise ScheduleError(f"{where}: give exactly one of 'cron' or 'every'")
    if cron is not None:
        if not isinstance(cron, str) or len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise ScheduleError(f"{where}: field 'cron' {cron!r} is not a 5-field cron expression")
        day_of_month, day_of_week = cron.split()[2], cron.split()[4]
        if day_of_month != "*" and day_of_week != "*":
            # cron ORs the two fields, Celery's crontab ANDs them: refuse the ambiguity
            raise ScheduleError(f"{where}: field 'cron' restricts both day-of-month and weekday")
        return cron, None
    match = _EVERY.match(str(every))
    if not match or int(match.group(1)) <= 0:
        raise ScheduleError(f"{where}: field 'every' {every!r} must look like 30s, 5m or 1h")
    return None, timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _period(where: str, value: Any) -> PeriodRule | None:
    if value is None:
        return None
    match = _PERIOD.match(str(value))
    if not match:
        raise ScheduleError(
            f"{where}: field 'period' {value!r} must be year|quarter|month|day with an "
            "optional offset, e.g. year-1"
        )
    return PeriodRule(PeriodKind(match.group(1)), int(match.group(2) or 0))


def _number(path: Path, where: str, field: str, raw: dict[str, Any], default: float) -> float:
    value = raw.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScheduleError(f"{path}: {where}: field {field!r} must be a non-negative number")
    return float(value)


def _human(every: timedelta | None) -> str:
    seconds = int(every.total_seconds()) if every else 0
    for suffix, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"
