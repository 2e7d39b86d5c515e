"""Retention (保存期限): delete personal data that has outlived its purpose.

Per kind, rows older than the configured number of days are deleted (0 keeps them forever):
- outbox: sent or failed messages (recipient address, name and text of each reminder),
- reminders: the record that a reminder stage was sent to a person,
- audit: audit events (审计记录; who downloaded, uploaded, triggered what).
Pending and sending messages are never deleted; a reminder still pointing at an outbox row
is deleted before that row. `powerlist purge` and the beat task `powerlist.purge` call
`purge`; `dry_run` counts without deleting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from powerlist.models import AuditEvent, OutboxMessage, Reminder
from powerlist.settings import Settings

FINISHED_MESSAGES = ("sent", "failed")
KIND_ZH = {"outbox": "发件箱消息", "reminders": "提醒记录", "audit": "审计记录"}


@dataclass(frozen=True)
class Purged:
    """What one kind's purge removed (or, on a dry run, would remove)."""

    kind: str
    keep_days: int
    cutoff: str | None
    rows: int


def retention_days(settings: Settings) -> dict[str, int]:
    """The configured keep days per kind (0 = keep forever)."""
    return {
        "outbox": settings.retention_outbox_days,
        "reminders": settings.retention_reminders_days,
        "audit": settings.retention_audit_days,
    }


def purge(
    session: Session, settings: Settings, now: datetime, dry_run: bool = False
) -> list[Purged]:
    """Delete (or count, when `dry_run`) the rows older than each kind's keep days."""
    days = retention_days(settings)
    results: list[Purged] = []
    today = now.astimezone(ZoneInfo(settings.timezone)).date()

    keep = days["reminders"]
    reminder_cut = today - timedelta(days=keep) if keep else None
    old_reminders = Reminder.sent_on < reminder_cut if reminder_cut else None
    results.append(
        Purged("reminders", keep, str(reminder_cut) if reminder_cut else None,
               _apply(session, Reminder, old_reminders, dry_run))
    )  # fmt: skip

    keep = days["outbox"]
    outbox_cut = now - timedelta(days=keep) if keep else None
    old_messages = (
        (OutboxMessage.created_at < outbox_cut) & OutboxMessage.status.in_(FINISHED_MESSAGES)
        if outbox_cut
        else None
    )
    if old_messages is not None and not dry_run:
        # a reminder kept longer than its message loses only the link to it
        linked = select(OutboxMessage.id).where(old_messages).scalar_subquery()
        session.query(Reminder).filter(Reminder.outbox_id.in_(linked)).update(
            {Reminder.outbox_id: None}, synchronize_session=False
        )
    results.append(
        Purged("outbox", keep, outbox_cut.isoformat() if outbox_cut else None,
               _apply(session, OutboxMessage, old_messages, dry_run))
    )  # fmt: skip

    keep = days["audit"]
    audit_cut = now - timedelta(days=keep) if keep else None
    old_audit = AuditEvent.at < audit_cut if audit_cut else None
    results.append(
        Purged("audit", keep, audit_cut.isoformat() if audit_cut else None,
               _apply(session, AuditEvent, old_audit, dry_run))
    )  # fmt: skip
    if not dry_run and any(r.rows for r in results):
        session.add(AuditEvent(
            actor="purge", action="purge", entity="retention", entity_id="all", before=None,
            after={r.kind: r.rows for r in results},
        ))  # fmt: skip
    session.flush()
    return results


def _apply(session: Session, model: type, condition: object, dry_run: bool) -> int:
    if condition is None:
        return 0
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)
    return int(session.execute(delete(model).where(condition)).rowcount or 0)
