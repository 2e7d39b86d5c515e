"""Putting messages into the outbox idempotently, and reading them back for listings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from powerlist.models import OutboxMessage
from powerlist.settings import get_settings

CHANNELS = ("smtp", "webhook")


@dataclass(frozen=True)
class NewMessage:
    """A message to enqueue; `dedup_key` makes a second enqueue of the same message a no-op."""

    dedup_key: str
    kind: str  # reminder, escalation, alert
    channel: str  # smtp, webhook
    recipient: str  # e-mail address or webhook URL
    subject: str
    body: str
    payload: dict[str, Any] | None = None


def insert_ignore(session: Session, table: Any, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; the new id, or None if it existed.

    A concurrent transaction inserting the same unique key waits for the first to commit and
    then inserts nothing, so two runs at once never duplicate a row.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
    else:
        stmt = insert(table).values(**values)
    result = session.execute(stmt.returning(table.c.id))
    return result.scalar_one_or_none()


def enqueue(session: Session, message: NewMessage) -> int | None:
    """Add a message to the outbox unless its dedup key is there; the new id or None."""
    if message.channel not in CHANNELS:
        raise ValueError(f"unknown channel {message.channel!r} (known: {', '.join(CHANNELS)})")
    return insert_ignore(
        session,
        OutboxMessage.__table__,
        {
            "dedup_key": message.dedup_key,
            "kind": message.kind,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "body": message.body,
            "payload": message.payload,
            "status": "pending",
            "attempts": 0,
        },
    )


def enqueue_alert(session: Session, key: str, subject: str, body: str) -> list[int]:
    """An alert (告警) to the configured webhook and/or alert e-mail; ids of new messages.

    The same `key` enqueues once per channel; with neither configured nothing is sent and the
    caller's own log is the only trace (so configure POWERLIST_WEBHOOK_URL or ALERT_EMAIL).
    """
    settings = get_settings()
    targets = [("webhook", settings.webhook_url), ("smtp", settings.alert_email)]
    made: list[int] = []
    for channel, recipient in targets:
        if not recipient:
            continue
        new_id = enqueue(
            session,
            NewMessage(f"alert:{key}:{channel}", "alert", channel, recipient, subject, body),
        )
        if new_id is not None:
            made.append(new_id)
    return made


@dataclass(frozen=True)
class OutboxLine:
    """One message as `powerlist outbox list` shows it."""

    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    stage: str | None
    due_on: str | None
    sent_on: str | None  # the working day the reminder was sent on
    status: str
    attempts: int
    delivered_at: datetime | None
    error: str | None
    created_at: datetime


def list_messages(session: Session, since: date | None = None) -> list[OutboxLine]:
    """Every message (oldest first), or those created on or after `since` (local midnight)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if since is not None:
        zone = ZoneInfo(get_settings().timezone)
        start = datetime(since.year, since.month, since.day, tzinfo=zone)
        query = query.where(OutboxMessage.created_at >= start)
    lines = []
    for message in session.scalars(query):
        payload = message.payload or {}
        lines.append(
            OutboxLine(
                id=message.id,
                kind=message.kind,
                channel=message.channel,
                recipient=message.recipient,
                subject=message.subject,
                stage=payload.get("stage"),
                due_on=payload.get("due_on"),
                sent_on=payload.get("sent_on"),
                status=message.status,
                attempts=message.attempts,
                delivered_at=message.sent_at,
                error=message.error,
                created_at=message.created_at,
            )
        )
    return lines
