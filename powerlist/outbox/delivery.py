"""Delivering the outbox: claim a message, send it, record sent or retry with backoff.

A message is claimed with a conditional UPDATE, so two deliverers never send the same row;
a claim is a lease, so a deliverer killed mid-send leaves the row to be retried later.
Statuses: pending (waiting or retrying), sending (claimed), sent, failed (gave up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update

from powerlist.db import session_scope
from powerlist.models import OutboxMessage, utcnow
from powerlist.outbox.senders import DeliveryError, Sender
from powerlist.settings import Settings

LEASE = timedelta(minutes=10)
CLAIM_CHUNK = 20  # messages leased per transaction
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed delivery is retried."""

    max_attempts: int = 6
    first_delay: timedelta = timedelta(seconds=60)
    trip_after: int = 20  # failures in a row on a channel that end its pass

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy from POWERLIST_OUTBOX_MAX_ATTEMPTS and _BACKOFF_SECONDS."""
        return cls(settings.outbox_max_attempts, timedelta(seconds=settings.outbox_backoff_seconds))

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next try after `attempts` failures: 1, 2, 4, … × first, capped."""
        return min(self.first_delay * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class DeliveryCounts:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _is_ready(now: datetime) -> object:
    return or_(
        and_(
            OutboxMessage.status == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= now),
    )


def deliver_pending(
    engine: Engine,
    senders: Mapping[str, Sender],
    policy: RetryPolicy,
    now: datetime | None = None,
    batch: int = 500,
) -> DeliveryCounts:
    """Send every message that is due now: leased in small chunks, each sent and recorded.

    After `policy.trip_after` failures in a row on one channel the rest of that channel waits
    for the next pass untouched: a server that is down is not hammered thousands of times.
    """
    try:
        return _deliver_all(engine, senders, policy, now or utcnow(), batch)
    finally:
        for sender in senders.values():
            close = getattr(sender, "close", None)
            if close is not None:
                close()


@dataclass(frozen=True)
class Claimed:
    """A message this deliverer holds the lease on."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    attempts: int


def _deliver_all(
    engine: Engine,
    senders: Mapping[str, Sender],
    policy: RetryPolicy,
    now: datetime,
    batch: int,
) -> DeliveryCounts:
    counts = DeliveryCounts()
    streak: dict[str, int] = {}
    after = 0  # ids are walked upwards once per pass (keyset), never re-read from the start
    while True:
        tripped = [c for c, failures in streak.items() if failures >= policy.trip_after]
        ready = _ready(engine, now, batch, after, tripped)
        if not ready:
            return counts
        after = ready[-1][0]
        for start in range(0, len(ready), CLAIM_CHUNK):
            chunk = ready[start : start + CLAIM_CHUNK]
            wanted = [i for i, c in chunk if streak.get(c, 0) < policy.trip_after]
            for message in _claim(engine, wanted, now):
                if streak.get(message.channel, 0) >= policy.trip_after:
                    _release(engine, message)
                    continue
                outcome = _deliver_one(engine, message, senders, policy, now)
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                failures = 0 if outcome == "sent" else streak.get(message.channel, 0) + 1
                streak[message.channel] = failures


def _ready(
    engine: Engine, now: datetime, limit: int, after: int, tripped: list[str]
) -> list[tuple[int, str]]:
    """Up to `limit` ready messages with ids above `after`, leaving out tripped channels."""
    with session_scope(engine) as session:
        query = select(OutboxMessage.id, OutboxMessage.channel).where(
            _is_ready(now), OutboxMessage.id > after
        )
        if tripped:
            query = query.where(OutboxMessage.channel.not_in(tripped))
        return [(i, c) for i, c in session.execute(query.order_by(OutboxMessage.id).limit(limit))]


def _deliver_one(
    engine: Engine,
    message: Claimed,
    senders: Mapping[str, Sender],
    policy: RetryPolicy,
    now: datetime,
) -> str:
    """Send one claimed message and record it: "sent", "retrying" or "failed"."""
    try:
        sender = senders[message.channel]
        sender(message)
    except (DeliveryError, KeyError) as error:
        final = _record_failure(engine, message, now, policy, str(error))
        return "failed" if final else "retrying"
    _record(engine, message.id, status="sent", sent_at=now, error=None, next_attempt_at=None)
    return "sent"


def _claim(engine: Engine, ids: list[int], now: datetime) -> list[Claimed]:
    """Take the lease on those of `ids` still ready, in one conditional UPDATE."""
    if not ids:
        return []
    with session_scope(engine) as session:
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _is_ready(now))
            .values(
                status="sending",
                next_attempt_at=now + LEASE,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.recipient,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.attempts,
            )
        )
        return sorted((Claimed(*row) for row in rows), key=lambda m: m.id)


def _release(engine: Engine, message: Claimed) -> None:
    """Give a claimed message back untried (its channel tripped in this pass)."""
    _record(
        engine, message.id, status="pending", attempts=message.attempts - 1, next_attempt_at=None
    )


def _record_failure(
    engine: Engine, message: Claimed, now: datetime, policy: RetryPolicy, error: str
) -> bool:
    if message.attempts >= policy.max_attempts:
        _record(engine, message.id, status="failed", error=error, next_attempt_at=None)
        return True
    retry_at = now + policy.delay(message.attempts)
    _record(engine, message.id, status="pending", error=error, next_attempt_at=retry_at)
    return False


def _record(engine: Engine, message_id: int, **values: object) -> None:
    with session_scope(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(values))
