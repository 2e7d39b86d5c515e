"""`powerlist outbox list` and `powerlist outbox deliver`: the messages that leave the system."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import typer

from powerlist.cli.output import print_json, print_table

app = typer.Typer(
    help="The outbox (发件箱): reminders, escalations and alerts.", no_args_is_help=True
)

STATUS_NAMES = {"pending": "待发送", "sending": "发送中", "sent": "已送达", "failed": "发送失败"}


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"日期应为 2026-10-08 这样的格式，而不是 {text!r}") from error


@app.command("list")
def outbox_list(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list of objects."),
    since: str | None = typer.Option(
        None, "--since", help="Only messages created on or after this date (2026-10-08)."
    ),
) -> None:
    """Every message: recipient, stage, channel, due date, the working day sent, delivery status."""
    from powerlist.db import session_scope
    from powerlist.outbox.senders import redact_url
    from powerlist.outbox.store import list_messages
    from powerlist.training.stages import stage_label

    day = _parse_day(since)
    with session_scope() as session:
        lines = list_messages(session, day)
    rows = []
    for line in lines:
        row = asdict(line)
        if line.channel == "webhook":
            row["recipient"] = redact_url(line.recipient)
        rows.append(row)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["stage"] = stage_label(row["stage"]) if row["stage"] else ""
        row["status"] = STATUS_NAMES.get(row["status"], row["status"])
    print_table(
        rows,
        [("id", "编号"), ("kind", "类别"), ("recipient", "收件人"), ("stage", "阶段"),
         ("channel", "渠道"), ("due_on", "到期日"), ("sent_on", "发出工作日"),
         ("status", "送达状态"), ("attempts", "尝试次数"), ("error", "错误")],
    )  # fmt: skip


@app.command("deliver")
def outbox_deliver() -> None:
    """Send every message that is due now (new ones and retries whose backoff has passed)."""
    from powerlist.db import default_engine
    from powerlist.outbox.delivery import RetryPolicy, deliver_pending
    from powerlist.outbox.senders import senders_from
    from powerlist.settings import get_settings

    settings = get_settings()
    counts = deliver_pending(
        default_engine(), senders_from(settings), RetryPolicy.from_settings(settings)
    )
    typer.echo(f"已送达 {counts.sent}，待重试 {counts.retrying}，失败 {counts.failed}")
    if counts.failed:
        raise typer.Exit(1)
