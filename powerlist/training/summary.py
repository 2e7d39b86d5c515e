"""Reading back what the reminders did: escalations sent, for the city summary."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import OutboxMessage, ReceivingUnit, Reminder, Staff, TrainingRequirement
from powerlist.training.reports import EscalationRow
from powerlist.training.stages import ESCALATION

DELIVERY_NAMES = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}


def escalations_of_year(session: Session, today: date) -> list[EscalationRow]:
    """The escalations (逾期上报) sent this year up to `today`, newest first, with delivery.

    One year, not every escalation ever: the list is what the office follows up this year
    (earlier years are in earlier summaries), and it stays bounded (~35,000 rows a day at
    province scale otherwise kept growing).
    """
    rows = session.execute(
        select(
            Reminder.sent_on,
            ReceivingUnit.name,
            Staff.staff_no,
            Staff.name,
            TrainingRequirement.name,
            Reminder.due_on,
            OutboxMessage.status,
        )
        .join(Staff, Staff.id == Reminder.staff_id)
        .join(ReceivingUnit, ReceivingUnit.id == Staff.unit_id)
        .join(TrainingRequirement, TrainingRequirement.id == Reminder.requirement_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == Reminder.outbox_id)
        .where(
            Reminder.stage == ESCALATION,
            Reminder.sent_on >= date(today.year, 1, 1),
            Reminder.sent_on <= today,
        )
        .order_by(Reminder.sent_on.desc(), ReceivingUnit.name, Staff.staff_no, Reminder.id)
    )
    return [
        EscalationRow(sent, unit, no, name, req, due, DELIVERY_NAMES.get(status or "", "无"))
        for sent, unit, no, name, req, due, status in rows
    ]
