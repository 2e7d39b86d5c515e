"""Alerts (告警) for the rule-of-law office: written once to the outbox, delivered elsewhere."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from powerlist.models import OutboxMessage

ALERT_RECIPIENT = "ops"  # the delivery side maps this to the office's mailbox or robot webhook


def raise_alert(
    session: Session,
    dedup_key: str,
    subject: str,
    body: str,
    payload: dict[str, Any] | None = None,
    *,
    channel: str = "webhook",
    recipient: str = ALERT_RECIPIENT,
) -> bool:
    """Queue an alert unless one with the same key exists; True when this call wrote it."""
    try:
        with session.begin_nested():
            session.add(
                OutboxMessage(
                    dedup_key=f"alert:{dedup_key}",
                    kind="alert",
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    payload=payload,
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True
