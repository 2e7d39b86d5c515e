"""The outbox (发件箱): every message (reminder, escalation, alert) is a row before it leaves."""
