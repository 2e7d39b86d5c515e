"""Recording today's reminders for one unit and putting their messages in the outbox.

Each (person, requirement, due date, stage) is inserted into `reminders` with ON CONFLICT DO
NOTHING before its messages are enqueued, in one transaction: a second or concurrent run finds
the row and sends nothing, so every stage goes out exactly once. Older stages carried by the
latest one are recorded with the lead's outbox message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from powerlist.models import Reminder
from powerlist.outbox.store import NewMessage, enqueue, insert_ignore
from powerlist.training.config import TrainingConfig
from powerlist.training.roster import RosterLine, UnitRoster
from powerlist.training.stages import Obligation, ReminderDue, due_reminders, stage_label


@dataclass
class ReminderCounts:
    """What one unit's reminder pass did."""

    reminders: int = 0
    escalations: int = 0
    messages: int = 0
    no_contact: int = 0
    stages: dict[str, int] = field(default_factory=dict)


def send_unit_reminders(
    session: Session,
    roster: UnitRoster,
    today: date,
    config: TrainingConfig,
    ids: dict[str, int],
    webhook_url: str | None = None,
) -> ReminderCounts:
    """Record and enqueue every stage due on the working day `today` for `roster`'s unit."""
    counts = ReminderCounts()
    lines = {(line.staff_id, line.requirement.code): line for line in roster.lines}
    obligations = [
        Obligation(line.staff_id, line.requirement.code, line.due_on)
        for line in roster.lines
        if line.due_on is not None
    ]
    sent = _already_sent(session, list({line.staff_id for line in roster.lines}), ids)
    lead_outbox: dict[tuple[int, str, date, str], int | None] = {}
    for reminder in due_reminders(obligations, today, config.stages, sent):
        line = lines[(reminder.staff_id, reminder.requirement)]
        if reminder.carried_by is not None:
            lead = (reminder.staff_id, reminder.requirement, reminder.due_on, reminder.carried_by)
            if lead in lead_outbox:  # the lead was recorded in this pass
                _record(session, reminder, ids, today, lead_outbox[lead], counts)
            continue
        messages = _messages(roster, line, reminder, today, webhook_url)
        if not messages:
            counts.no_contact += 1
            continue  # kept unsent: it goes out once a contact is recorded
        reminder_id = _record(session, reminder, ids, today, None, counts)
        if reminder_id is None:
            continue  # a concurrent run recorded it first
        outbox_ids = [i for i in (enqueue(session, m) for m in messages) if i is not None]
        lead_outbox[reminder.key] = outbox_ids[0] if outbox_ids else None
        if outbox_ids:
            session.execute(
                update(Reminder).where(Reminder.id == reminder_id).values(outbox_id=outbox_ids[0])
            )
        counts.escalations += reminder.is_escalation
        counts.messages += len(outbox_ids)
    return counts


def _record(
    session: Session,
    reminder: ReminderDue,
    ids: dict[str, int],
    today: date,
    outbox_id: int | None,
    counts: ReminderCounts,
) -> int | None:
    """Insert the reminder row unless it exists; its id, or None when already recorded."""
    reminder_id = insert_ignore(
        session,
        Reminder.__table__,
        {
            "staff_id": reminder.staff_id,
            "requirement_id": ids[reminder.requirement],
            "due_on": reminder.due_on,
            "stage": reminder.stage,
            "sent_on": today,
            "outbox_id": outbox_id,
        },
    )
    if reminder_id is not None:
        counts.reminders += 1
        counts.stages[reminder.stage] = counts.stages.get(reminder.stage, 0) + 1
    return reminder_id


def _already_sent(
    session: Session, staff_ids: list[int], ids: dict[str, int]
) -> set[tuple[int, str, date, str]]:
    if not staff_ids:
        return set()
    codes = {rid: code for code, rid in ids.items()}
    rows = session.execute(
        select(Reminder.staff_id, Reminder.requirement_id, Reminder.due_on, Reminder.stage).where(
            Reminder.staff_id.in_(staff_ids)
        )
    )
    return {(s, codes.get(r, ""), d, stage) for s, r, d, stage in rows}


def _messages(
    roster: UnitRoster,
    line: RosterLine,
    reminder: ReminderDue,
    today: date,
    webhook_url: str | None,
) -> list[NewMessage]:
    req = line.requirement
    payload = {
        "stage": reminder.stage,
        "due_on": reminder.due_on.isoformat(),
        "sent_on": today.isoformat(),
        "staff_no": line.staff_no,
        "requirement": req.code,
        "unit": roster.code,
    }
    key = f"reminder:{line.staff_id}:{req.code}:{reminder.due_on}:{reminder.stage}"
    if not reminder.is_escalation:
        if not line.email:
            return []
        subject = f"【培训考试提醒】{req.name}（{stage_label(reminder.stage)}）"
        body = (
            f"{line.name}同志：您的“{req.name}”到期日为 {reminder.due_on:%Y年%m月%d日}，"
            f"{_when(reminder.due_on, today)}。请按时完成，已完成的请联系本单位录入记录。\n"
            f"单位：{roster.name}"
        )
        return [NewMessage(f"{key}:smtp", "reminder", "smtp", line.email, subject, body, payload)]
    overdue = (today - reminder.due_on).days
    subject = f"【逾期上报】{roster.name} {line.name}：{req.name}逾期{overdue}天"
    body = (
        f"{roster.name}{line.role}{line.name}（{line.staff_no}）的“{req.name}”"
        f"已于 {reminder.due_on:%Y年%m月%d日} 到期，至今逾期 {overdue} 天仍未完成，请督促落实。"
    )
    targets = [("smtp", roster.head_email)]
    targets += [("smtp", dept.contact_email) for dept in roster.entrusting]
    targets.append(("webhook", webhook_url))
    return [
        NewMessage(f"{key}:{channel}:{to}", "escalation", channel, to, subject, body, payload)
        for channel, to in dict.fromkeys(targets)
        if to
    ]


def _when(due_on: date, today: date) -> str:
    days = (due_on - today).days
    if days > 0:
        return f"还有 {days} 天"
    if days == 0:
        return "今天到期"
    return f"已逾期 {-days} 天"
