"""Reminder stages (提醒阶段) and which are due on a working day; pure functions.

Stages of one due date: N days before (before_30, before_7), on the day (due), weekly while
overdue (overdue_1, overdue_2, …), and once an escalation (escalation) to the unit head.
A stage is due when its date has come and it was not sent: a day the job did not run, or a
holiday, delays it to the next working day. When several personal stages are waiting at once
(after a long holiday), one message goes out for the latest and the older ones are recorded as
carried by it: an older one would say something no longer true ("7 days left" on the due date),
and two messages at once are what users complain about. The escalation is always its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from powerlist.training.config import Stages

ESCALATION = "escalation"


class Status(StrEnum):
    """A roster line's status (状态) as the workbooks show it."""

    DONE = "完成"
    DUE_SOON = "即将到期"
    OVERDUE = "已逾期"
    ESCALATED = "已上报"
    INCOMPLETE = "未完成"  # dates kept, but fewer 学时 than the yearly target


@dataclass(frozen=True)
class Obligation:
    """One person owing one requirement by a due date."""

    staff_id: int
    requirement: str
    due_on: date


@dataclass(frozen=True)
class ReminderDue:
    """A stage to send today for one obligation."""

    staff_id: int
    requirement: str
    due_on: date
    stage: str
    stage_date: date
    carried_by: str | None = None  # the stage whose message also covers this one

    @property
    def key(self) -> tuple[int, str, date, str]:
        """The reminder's once-only key: person, requirement, due date, stage."""
        return (self.staff_id, self.requirement, self.due_on, self.stage)

    @property
    def is_escalation(self) -> bool:
        """Whether this goes to the unit head and entrusting departments."""
        return self.stage == ESCALATION


def personal_stages(due_on: date, today: date, stages: Stages) -> list[tuple[str, date]]:
    """Every personal stage of `due_on` whose date has come by `today`, oldest first."""
    found = [(f"before_{days}", due_on - timedelta(days=days)) for days in stages.before]
    if stages.on_due:
        found.append(("due", due_on))
    weeks = (today - due_on).days // stages.overdue_every_days
    found += [
        (f"overdue_{week}", due_on + timedelta(days=week * stages.overdue_every_days))
        for week in range(1, weeks + 1)
    ]
    return [(stage, day) for stage, day in found if day <= today]


def latest_due_with_stages(today: date, stages: Stages) -> date:
    """The latest due date that has any stage (personal or escalation) on or before `today`.

    Obligations due later have nothing to send yet, so their sent stages need not be read.
    """
    offsets = [-days for days in stages.before] + ([0] if stages.on_due else [])
    offsets += [stages.overdue_every_days, stages.escalate_after_days]
    return today - timedelta(days=min(offsets))


def due_reminders(
    obligations: Iterable[Obligation],
    today: date,
    stages: Stages,
    sent: set[tuple[int, str, date, str]],
) -> list[ReminderDue]:
    """The stages to record on the working day `today`, leaving out those already in `sent`.

    Per obligation the latest waiting personal stage leads (its message is sent); older waiting
    stages are recorded as carried by it, so none is lost and nobody gets two messages at once.
    """
    result: list[ReminderDue] = []
    for ob in obligations:
        personal = personal_stages(ob.due_on, today, stages)
        if personal and (ob.staff_id, ob.requirement, ob.due_on, personal[-1][0]) not in sent:
            lead = personal[-1][0]
            for stage, stage_date in reversed(personal):
                reminder = ReminderDue(
                    ob.staff_id,
                    ob.requirement,
                    ob.due_on,
                    stage,
                    stage_date,
                    carried_by=None if stage == lead else lead,
                )
                if reminder.key not in sent:
                    result.append(reminder)
        escalate_on = ob.due_on + timedelta(days=stages.escalate_after_days)
        escalation = ReminderDue(ob.staff_id, ob.requirement, ob.due_on, ESCALATION, escalate_on)
        if today >= escalate_on and escalation.key not in sent:
            result.append(escalation)
    return result


def status_of(due_on: date | None, today: date, stages: Stages) -> Status:
    """完成 / 即将到期 / 已逾期 / 已上报 for a due date seen on `today`."""
    if due_on is None:
        return Status.DONE
    days_left = (due_on - today).days
    if days_left > stages.due_soon_days:
        return Status.DONE
    if days_left >= 0:
        return Status.DUE_SOON
    if -days_left >= stages.escalate_after_days:
        return Status.ESCALATED
    return Status.OVERDUE


def hours_status(status: Status, hours: float | None, target: float | None) -> Status:
    """未完成 when a course's hours fall short of its yearly target and it is not yet overdue.

    14.2 of 20 学时 is not 完成, whatever the date of the last session.
    """
    short = hours is not None and target is not None and hours < target
    if short and status in (Status.DONE, Status.DUE_SOON):
        return Status.INCOMPLETE
    return status


STAGE_NAMES = {"due": "今日到期", ESCALATION: "逾期上报"}


def stage_label(stage: str) -> str:
    """Chinese name of a stage for messages and lists: 到期前30天, 逾期第2周…"""
    if stage.startswith("before_"):
        return f"到期前{stage.removeprefix('before_')}天"
    if stage.startswith("overdue_"):
        return f"逾期第{stage.removeprefix('overdue_')}周"
    return STAGE_NAMES.get(stage, stage)
