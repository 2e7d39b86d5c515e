"""Recording today's reminders for one unit and putting their messages in the outbox.

Each (person, requirement, due date, stage) is inserted into `reminders` with ON CONFLICT DO
NOTHING before its messages are enqueued, in one transaction: a second or concurrent run finds
the row and sends nothing, so every stage goes out exactly once. Older stages carried by the
latest one are recorded with the lead's outbox message. Rows go in with executemany (a few
statements per batch of units, not one per reminder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from powerlist.models import OutboxMessage, Reminder
from powerlist.outbox.store import CHANNELS, NewMessage
from powerlist.training.config import TrainingConfig
from powerlist.training.roster import CHUNK, RosterLine, UnitRoster
from powerlist.training.stages import (
    Obligation,
    ReminderDue,
    due_reminders,
    latest_due_with_stages,
    stage_label,
)


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
) -> ReminderCounts:
    """Record and enqueue every stage due on the working day `today` for `roster`'s unit."""
    return send_reminders(session, [roster], today, config, ids)


def send_reminders(
    session: Session,
    rosters: Sequence[UnitRoster],
    today: date,
    config: TrainingConfig,
    ids: dict[str, int],
) -> ReminderCounts:
    """Record and enqueue every stage due on `today` for the units of `rosters`, in bulk.

    Escalations are recorded without a message: the job's finish step sends each recipient
    one digest for the day (powerlist.training.digest).

    Three statements whatever the count: the leading stages' reminder rows (ON CONFLICT DO
    NOTHING, RETURNING the rows this pass recorded), the messages of those, then the carried
    stages with their lead's message id. Concurrent runs compute the same rows in the same order.
    """
    counts = ReminderCounts()
    lines = {
        (line.staff_id, line.requirement.code): (roster, line)
        for roster in rosters
        for line in roster.lines
    }
    horizon = latest_due_with_stages(today, config.stages)  # later due dates: nothing yet
    obligations = [
        Obligation(line.staff_id, line.requirement.code, line.due_on)
        for _, line in lines.values()
        if line.due_on is not None and line.due_on <= horizon
    ]
    sent = _already_sent(session, obligations, ids)
    leads: dict[Key, tuple[ReminderDue, list[NewMessage]]] = {}
    carried: list[ReminderDue] = []
    for reminder in due_reminders(obligations, today, config.stages, sent):
        if reminder.carried_by is not None:
            carried.append(reminder)
            continue
        if reminder.is_escalation:  # listed in the day's digest by the job's finish step
            leads[reminder.key] = (reminder, [])
            continue
        roster, line = lines[(reminder.staff_id, reminder.requirement)]
        messages = _messages(roster, line, reminder, today)
        if not messages:
            counts.no_contact += 1
            continue  # kept unsent: it goes out once a contact is recorded
        leads[reminder.key] = (reminder, messages)
    recorded = _insert_reminders(session, [r for r, _ in leads.values()], ids, today, {})
    outbox: dict[Key, int] = {}
    new_messages = [(key, m) for key in leads if key in recorded for m in leads[key][1]]
    made = insert_messages(session, [m for _, m in new_messages])
    for key, message in new_messages:
        if message.dedup_key in made:
            outbox.setdefault(key, made[message.dedup_key])
            counts.messages += 1
    if outbox:
        session.execute(
            update(Reminder),
            [{"id": recorded[key], "outbox_id": outbox_id} for key, outbox_id in outbox.items()],
        )
    lead_of = {r.key: (r.staff_id, r.requirement, r.due_on, r.carried_by or "") for r in carried}
    carried = [r for r in carried if lead_of[r.key] in recorded]  # its lead went out now
    carried_outbox = {r.key: outbox.get(lead_of[r.key]) for r in carried}
    recorded_carried = _insert_reminders(session, carried, ids, today, carried_outbox)
    for reminder in [r for r, _ in leads.values()] + carried:
        if reminder.key in recorded or reminder.key in recorded_carried:
            counts.reminders += 1
            counts.stages[reminder.stage] = counts.stages.get(reminder.stage, 0) + 1
            counts.escalations += reminder.is_escalation
    return counts


Key = tuple[int, str, date, str]


def _insert_reminders(
    session: Session,
    reminders: list[ReminderDue],
    ids: dict[str, int],
    today: date,
    outbox: dict[Key, int | None],
) -> dict[Key, int]:
    """Insert the reminder rows that do not exist yet; key → id of each row inserted now."""
    if not reminders:
        return {}
    codes = {rid: code for code, rid in ids.items()}
    table = Reminder.__table__
    rows = [
        {
            "staff_id": r.staff_id,
            "requirement_id": ids[r.requirement],
            "due_on": r.due_on,
            "stage": r.stage,
            "sent_on": today,
            "outbox_id": outbox.get(r.key),
        }
        for r in reminders
    ]
    stmt = _insert_ignore(session, table).returning(
        table.c.id, table.c.staff_id, table.c.requirement_id, table.c.due_on, table.c.stage
    )
    result = session.execute(stmt, rows)
    return {
        (staff_id, codes[rid], due_on, stage): rid_ for rid_, staff_id, rid, due_on, stage in result
    }


def insert_messages(session: Session, messages: list[NewMessage]) -> dict[str, int]:
    """Enqueue the messages whose dedup key is new; dedup key → outbox id of each inserted."""
    if not messages:
        return {}
    for message in messages:
        if message.channel not in CHANNELS:
            raise ValueError(f"unknown channel {message.channel!r}")
    table = OutboxMessage.__table__
    rows = [
        {
            "dedup_key": m.dedup_key,
            "kind": m.kind,
            "channel": m.channel,
            "recipient": m.recipient,
            "subject": m.subject,
            "body": m.body,
            "payload": m.payload,
            "status": "pending",
            "attempts": 0,
        }
        for m in messages
    ]
    stmt = _insert_ignore(session, table).returning(table.c.id, table.c.dedup_key)
    return {key: message_id for message_id, key in session.execute(stmt, rows)}


def _insert_ignore(session: Session, table: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for the session's database (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _already_sent(
    session: Session, obligations: list[Obligation], ids: dict[str, int]
) -> set[tuple[int, str, date, str]]:
    """The stages already recorded for `obligations`: only their people's rows, and only rows
    of their due dates or later (earlier cycles cannot match)."""
    if not obligations:
        return set()
    staff_ids = sorted({ob.staff_id for ob in obligations})
    earliest = min(ob.due_on for ob in obligations)
    codes = {rid: code for code, rid in ids.items()}
    found: set[tuple[int, str, date, str]] = set()
    for start in range(0, len(staff_ids), CHUNK):
        rows = session.execute(
            select(
                Reminder.staff_id, Reminder.requirement_id, Reminder.due_on, Reminder.stage
            ).where(
                Reminder.staff_id.in_(staff_ids[start : start + CHUNK]),
                Reminder.due_on >= earliest,
            )
        )
        found.update((s, codes.get(r, ""), d, stage) for s, r, d, stage in rows)
    return found


def _messages(
    roster: UnitRoster, line: RosterLine, reminder: ReminderDue, today: date
) -> list[NewMessage]:
    """The personal reminder (escalations go out as the day's digest, see training.digest)."""
    req = line.requirement
    if not line.email:
        return []
    payload = {
        "stage": reminder.stage,
        "due_on": reminder.due_on.isoformat(),
        "sent_on": today.isoformat(),
        "staff_no": line.staff_no,
        "requirement": req.code,
        "unit": roster.code,
    }
    key = f"reminder:{line.staff_id}:{req.code}:{reminder.due_on}:{reminder.stage}"
    subject = f"【培训考试提醒】{req.name}（{stage_label(reminder.stage)}）"
    body = (
        f"{line.name}同志：您的“{req.name}”到期日为 {reminder.due_on:%Y年%m月%d日}，"
        f"{_when(reminder.due_on, today)}。请按时完成，已完成的请联系本单位录入记录。\n"
        f"单位：{roster.name}"
    )
    return [NewMessage(f"{key}:smtp", "reminder", "smtp", line.email, subject, body, payload)]


def _when(due_on: date, today: date) -> str:
    days = (due_on - today).days
    if days > 0:
        return f"还有 {days} 天"
    if days == 0:
        return "今天到期"
    return f"已逾期 {-days} 天"
