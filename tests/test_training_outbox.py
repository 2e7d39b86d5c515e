"""Outbox delivery over a real local SMTP server and HTTP robot: success, failure, retries, list."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.db import session_scope
from powerlist.models import OutboxMessage
from powerlist.outbox.delivery import RetryPolicy, deliver_pending
from powerlist.outbox.senders import SmtpSender, WebhookSender, senders_from
from powerlist.outbox.store import NewMessage, enqueue, enqueue_alert
from powerlist.settings import get_settings
from tests.fixtures_training import (
    SmtpInbox,
    WebhookInbox,
    free_port,
    settings_env,
    smtp_inbox,
    webhook_inbox,
)

__all__ = ["settings_env", "smtp_inbox", "webhook_inbox"]  # fixtures used by name

NOW = datetime(2026, 10, 8, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
POLICY = RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1))


def put(engine: Engine, key: str, channel: str, recipient: str) -> int:
    with session_scope(engine) as session:
        new_id = enqueue(
            session,
            NewMessage(
                key,
                "reminder",
                channel,
                recipient,
                "【培训考试提醒】承接事项业务培训（今日到期）",
                "alice同志：您的“承接事项业务培训”今天到期。",
                {"stage": "due", "due_on": "2026-10-08", "sent_on": "2026-10-08"},
            ),
        )
    assert new_id is not None
    return new_id


def message(engine: Engine, message_id: int) -> OutboxMessage:
    with session_scope(engine) as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


def test_enqueue_is_idempotent_by_dedup_key(engine: Engine) -> None:
    put(engine, "k1", "smtp", "alice@example.gov.cn")
    with session_scope(engine) as session:
        again = enqueue(session, NewMessage("k1", "reminder", "smtp", "x@y", "s", "b"))
        assert again is None
        assert len(list(session.scalars(select(OutboxMessage)))) == 1


def test_smtp_delivery_reaches_the_server_in_utf8(engine: Engine, smtp_inbox: SmtpInbox) -> None:
    first = put(engine, "k1", "smtp", "alice@example.gov.cn")
    counts = deliver_pending(engine, senders_from(get_settings()), POLICY, now=NOW)
    assert (counts.sent, counts.retrying, counts.failed) == (1, 0, 0)
    assert smtp_inbox.recipients() == ["alice@example.gov.cn"]
    received = smtp_inbox.messages[0].content.decode()
    assert "Subject: =?utf-8?" in received
    sent = message(engine, first)
    assert (sent.status, sent.attempts, sent.sent_at) == ("sent", 1, NOW)
    again = deliver_pending(engine, senders_from(get_settings()), POLICY, now=NOW)
    assert again.sent == 0 and len(smtp_inbox.messages) == 1  # never sent twice


def test_smtp_failure_retries_with_backoff_then_succeeds(
    engine: Engine, smtp_inbox: SmtpInbox
) -> None:
    first = put(engine, "k1", "smtp", "alice@example.gov.cn")
    senders = senders_from(get_settings())
    smtp_inbox.refuse = True
    assert deliver_pending(engine, senders, POLICY, now=NOW).retrying == 1
    failed = message(engine, first)
    assert failed.status == "pending" and failed.attempts == 1
    assert failed.next_attempt_at == NOW + timedelta(minutes=1)
    assert "451" in (failed.error or "")
    # not yet time: nothing is tried
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(seconds=30)).retrying == 0
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(minutes=1)).retrying == 1
    assert message(engine, first).next_attempt_at == NOW + timedelta(minutes=1 + 2)
    smtp_inbox.refuse = False
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(minutes=3)).sent == 1
    done = message(engine, first)
    assert (done.status, done.attempts, done.error) == ("sent", 3, None)
    assert smtp_inbox.recipients() == ["alice@example.gov.cn"]


def test_an_unreachable_server_fails_after_max_attempts(engine: Engine) -> None:
    first = put(engine, "k1", "smtp", "alice@example.gov.cn")
    senders = {"smtp": SmtpSender("127.0.0.1", free_port(), "powerlist@localhost", timeout=2)}
    when = NOW
    for _ in range(POLICY.max_attempts):
        deliver_pending(engine, senders, POLICY, now=when)
        when += timedelta(hours=1)
    gone = message(engine, first)
    assert (gone.status, gone.attempts) == ("failed", 3)
    assert "SMTP 127.0.0.1" in (gone.error or "")
    assert deliver_pending(engine, senders, POLICY, now=when).failed == 0  # given up for good


def test_webhook_delivery_posts_robot_json(engine: Engine, webhook_inbox: WebhookInbox) -> None:
    put(engine, "k1", "webhook", webhook_inbox.url)
    assert deliver_pending(engine, {"webhook": WebhookSender()}, POLICY, now=NOW).sent == 1
    body = webhook_inbox.bodies[0]
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith("【培训考试提醒】承接事项业务培训")


def test_webhook_errors_are_retried_and_the_key_is_not_recorded(
    engine: Engine, webhook_inbox: WebhookInbox
) -> None:
    first = put(engine, "k1", "webhook", webhook_inbox.url)
    webhook_inbox.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
                             (502, {"error": "bad gateway"})]  # fmt: skip
    senders = {"webhook": WebhookSender()}
    assert deliver_pending(engine, senders, POLICY, now=NOW).retrying == 1
    error = message(engine, first).error or ""
    assert "45009" in error and "SECRET" not in error
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(minutes=1)).retrying == 1
    assert "502" in (message(engine, first).error or "")
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(minutes=3)).sent == 1
    assert len(webhook_inbox.bodies) == 3


def test_a_claim_left_by_a_killed_deliverer_is_retried_after_its_lease(
    engine: Engine, smtp_inbox: SmtpInbox
) -> None:
    first = put(engine, "k1", "smtp", "alice@example.gov.cn")
    with session_scope(engine) as session:
        row = session.get(OutboxMessage, first)
        assert row is not None
        row.status, row.attempts, row.next_attempt_at = "sending", 1, NOW + timedelta(minutes=10)
    senders = senders_from(get_settings())
    assert deliver_pending(engine, senders, POLICY, now=NOW).sent == 0  # still leased
    assert deliver_pending(engine, senders, POLICY, now=NOW + timedelta(minutes=10)).sent == 1


def test_outbox_list_shows_stage_channel_due_sent_day_and_status(
    engine: Engine, database_url: str, settings_env: Any, smtp_inbox: SmtpInbox
) -> None:
    settings_env(
        database_url=database_url,
        webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=SECRET",
        alert_email=None,
    )
    with time_machine.travel(NOW, tick=False):
        put(engine, "k1", "smtp", "alice@example.gov.cn")
        deliver_pending(engine, senders_from(get_settings()), POLICY)
    with time_machine.travel(NOW + timedelta(days=2), tick=False), session_scope(engine) as session:
        enqueue_alert(session, "unknown-year:2027", "节假日数据缺失", "2027年的节假日安排未知")
    runner = CliRunner()
    result = runner.invoke(app, ["outbox", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["kind"], r["channel"], r["status"]) for r in rows] == [
        ("reminder", "smtp", "sent"),
        ("alert", "webhook", "pending"),
    ]
    assert rows[0]["stage"] == "due" and rows[0]["due_on"] == "2026-10-08"
    assert rows[0]["sent_on"] == "2026-10-08" and rows[0]["recipient"] == "alice@example.gov.cn"
    assert rows[1]["recipient"] == "http://127.0.0.1:9/cgi-bin/webhook/send"  # key not shown
    since = runner.invoke(app, ["outbox", "list", "--json", "--since", "2026-10-09"])
    assert [r["kind"] for r in json.loads(since.output)] == ["alert"]
    table = runner.invoke(app, ["outbox", "list"])
    assert "今日到期" in table.output and "已送达" in table.output
    bad = runner.invoke(app, ["outbox", "list", "--since", "10/09"])
    assert bad.exit_code != 0 and "2026-10-08" in bad.output
    assert date.fromisoformat(rows[0]["sent_on"]).weekday() < 5


def test_a_dead_channel_is_not_hammered_within_one_pass(
    engine: Engine, smtp_inbox: SmtpInbox, webhook_inbox: WebhookInbox
) -> None:
    for n in range(8):
        put(engine, f"mail-{n}", "smtp", f"s{n}@example.gov.cn")
    put(engine, "robot", "webhook", webhook_inbox.url)
    dead = SmtpSender("127.0.0.1", free_port(), "powerlist@localhost", timeout=2)
    policy = RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1), trip_after=3)
    counts = deliver_pending(engine, {"smtp": dead, "webhook": WebhookSender()}, policy, now=NOW)
    assert (counts.sent, counts.retrying) == (1, 3)  # the robot still got its message
    with session_scope(engine) as session:
        attempts = sorted(m.attempts for m in session.scalars(select(OutboxMessage)))
    assert attempts == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    later = deliver_pending(engine, senders_from(get_settings()), policy, now=NOW)
    assert later.sent == 5 and len(smtp_inbox.messages) == 5  # the rest go once it is back


def test_outbox_deliver_command_sends_and_reports(
    engine: Engine, database_url: str, settings_env: Any, smtp_inbox: SmtpInbox
) -> None:
    settings_env(database_url=database_url)
    put(engine, "k1", "smtp", "alice@example.gov.cn")
    result = CliRunner().invoke(app, ["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "已送达 1" in result.output
    assert smtp_inbox.recipients() == ["alice@example.gov.cn"]
