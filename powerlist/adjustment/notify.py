"""Telling an affected department (liaison e-mail, group robot) that its 个别调整 workbook is
ready: one message per department and channel per run, enqueued in the outbox idempotently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from powerlist.adjustment.changes import StoredChange
from powerlist.outbox.store import NewMessage, enqueue

MESSAGE_KIND = "adjustment"


def department_messages(
    run_id: int,
    department_code: str,
    department_name: str,
    email: str | None,
    webhook_url: str | None,
    day: date,
    changes: Sequence[StoredChange],
    items: int,
    workbook: str,
) -> list[NewMessage]:
    """The messages for one department: to its liaison's e-mail and the robot, where set."""
    laws = "、".join(dict.fromkeys(c.title for c in changes))
    what = "；".join(f"{c.title}{c.label}{c.old or '（空）'}→{c.new or '（空）'}" for c in changes)
    subject = f"【个别调整审核】{laws}变动，涉及{department_name}{items}项事项"
    body = (
        f"{department_name}：{day:%Y年%m月%d日}法律依据库记录了以下变动：{what}。"
        f"贵部门有{items}项在列事项引用了上述法规，已生成《{workbook}》，"
        "请登录权责清单系统下载，按工作簿“说明”逐项填写意见后回传。"
    )
    payload = {"run_id": run_id, "department": department_code, "day": day.isoformat(),
               "items": items, "workbook": workbook}  # fmt: skip
    targets = [("smtp", email), ("webhook", webhook_url)]
    return [
        NewMessage(
            f"adjustment:{run_id}:{department_code}:{channel}",
            MESSAGE_KIND,
            channel,
            to,
            subject,
            body,
            payload,
        )
        for channel, to in targets
        if to
    ]


def enqueue_all(session: Session, messages: Sequence[NewMessage]) -> int:
    """Enqueue the messages; a repeated unit adds nothing (dedup keys); returns new ones."""
    return sum(1 for m in messages if enqueue(session, m) is not None)
