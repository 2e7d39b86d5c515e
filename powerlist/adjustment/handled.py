"""Items already handled by a 个别调整 in the year, so the yearly review does not ask twice
without reason: its department workbook names them in its 说明 sheet."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.adjustment.job import JOB_NAME
from powerlist.models import ItemDecision, PowerItem, Run
from powerlist.vocab import ProposalState

SHOWN = 30  # codes listed in the note; the count covers the rest


def handled_in_year(
    session: Session, department_ids: Sequence[int], year: int
) -> list[tuple[str, str, str]]:
    """(item code, day, 部门意见·state) of every 个别调整 proposal of the year on these
    departments' items (a department and those merged into it), except those sent back (退回)."""
    rows = session.execute(
        select(PowerItem.code, Run.period, ItemDecision.decision, ItemDecision.state)
        .join(Run, ItemDecision.run_id == Run.id)
        .join(PowerItem, ItemDecision.item_id == PowerItem.id)
        .where(
            Run.job == JOB_NAME,
            Run.period.like(f"{year}-%"),
            PowerItem.department_id.in_(list(department_ids)),
            ItemDecision.state != ProposalState.RETURNED.value,
        )
        .order_by(Run.period, PowerItem.code)
    )
    return [(code, day, f"{decision}·{state}") for code, day, decision, state in rows]


def handled_note(handled: Sequence[tuple[str, str, str]]) -> list[str]:
    """The 说明 line for the yearly workbook ([] when nothing was handled)."""
    if not handled:
        return []
    listed = "、".join(f"{code}（{day} {decision}）" for code, day, decision in handled[:SHOWN])
    more = f"等{len(handled)}项" if len(handled) > SHOWN else ""
    return [
        f"本年度已经个别调整审核处理的事项 {len(handled)} 项：{listed}{more}；"
        "其审核发现如与个别调整时相同，可沿用当时的意见"
    ]
