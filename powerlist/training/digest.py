"""Escalation digests (逾期上报汇总): one message per recipient per day listing everyone overdue.

The unit steps record each escalation (person × requirement × due date) in `reminders`
without a message; the job's finish step, once every unit has been seen, sends each unit head,
each entrusting department (委托部门/下放部门, 谁委托、谁培训) and the webhook one message for the
day listing all of their overdue people, instead of one message per person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from powerlist.models import ReceivingUnit, Reminder, Staff, TrainingRequirement
from powerlist.outbox.store import NewMessage
from powerlist.training.roster import entrusting_departments
from powerlist.training.send import insert_messages
from powerlist.training.stages import ESCALATION


@dataclass(frozen=True)
class Overdue:
    """One escalated obligation as a digest lists it."""

    reminder_id: int
    unit_id: int
    unit: str
    staff_no: str
    name: str
    role: str
    requirement: str
    due_on: date


def enqueue_escalation_digests(session: Session, today: date, webhook_url: str | None) -> int:
    """Enqueue today's digests (once: a re-run finds them by key); the number enqueued now."""
    overdue = _escalated_today(session, today)
    if not overdue:
        return 0
    heads = dict(
        session.execute(
            select(ReceivingUnit.id, ReceivingUnit.head_email).where(
                ReceivingUnit.id.in_({o.unit_id for o in overdue})
            )
        ).all()
    )
    departments = entrusting_departments(session, sorted(heads), today)
    lists: dict[tuple[str, str], list[Overdue]] = defaultdict(list)
    for item in overdue:
        targets = [("smtp", heads.get(item.unit_id))]
        targets += [("smtp", d.contact_email) for d in departments.get(item.unit_id, ())]
        targets.append(("webhook", webhook_url))
        for target in dict.fromkeys(targets):
            if target[1]:
                lists[(target[0], str(target[1]))].append(item)
    messages = [_digest(channel, to, items, today) for (channel, to), items in lists.items()]
    made = insert_messages(session, messages)
    first: dict[int, int] = {}
    for message in messages:
        if message.dedup_key in made:
            for reminder_id in (message.payload or {}).get("reminders", []):
                first.setdefault(reminder_id, made[message.dedup_key])
    if first:
        session.execute(
            update(Reminder),
            [{"id": rid, "outbox_id": outbox_id} for rid, outbox_id in first.items()],
        )
    return len(made)


def digest_text(items: list[Overdue], today: date) -> str:
    """The body: one numbered line per overdue person and requirement, by unit."""
    lines = [f"截至 {today:%Y年%m月%d日}，以下人员培训考试逾期未完成，请督促落实："]
    ordered = sorted(items, key=lambda o: (o.unit, o.staff_no, o.requirement))
    for n, o in enumerate(ordered, start=1):
        days = (today - o.due_on).days
        lines.append(
            f"{n}. {o.unit} {o.role}{o.name}（{o.staff_no}）：{o.requirement}，"
            f"{o.due_on:%Y年%m月%d日}到期，逾期{days}天"
        )
    return "\n".join(lines)


def _digest(channel: str, to: str, items: list[Overdue], today: date) -> NewMessage:
    people = len({o.staff_no for o in items})
    units = len({o.unit_id for o in items})
    subject = f"【逾期上报】{today:%Y年%m月%d日} {units}个单位{people}人培训考试逾期"
    payload = {
        "sent_on": today.isoformat(),
        "people": people,
        "reminders": sorted(o.reminder_id for o in items),
    }
    key = f"escalation-digest:{today.isoformat()}:{channel}:{to}"
    return NewMessage(key, "escalation", channel, to, subject, digest_text(items, today), payload)


def _escalated_today(session: Session, today: date) -> list[Overdue]:
    rows = session.execute(
        select(
            Reminder.id,
            ReceivingUnit.id,
            ReceivingUnit.name,
            Staff.staff_no,
            Staff.name,
            Staff.role,
            TrainingRequirement.name,
            Reminder.due_on,
        )
        .join(Staff, Staff.id == Reminder.staff_id)
        .join(ReceivingUnit, ReceivingUnit.id == Staff.unit_id)
        .join(TrainingRequirement, TrainingRequirement.id == Reminder.requirement_id)
        .where(Reminder.stage == ESCALATION, Reminder.sent_on == today)
        .order_by(Reminder.id)
    )
    return [Overdue(*row) for row in rows]
