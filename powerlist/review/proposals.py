"""Proposals (部门意见) as stored: what a department's next workbook shows about earlier ones.

A proposal the reviewing office sent back (退回修改) appears in the department's next workbook
in the 上次审核结果 column, with the office's 审核说明, so the liaison officer can revise it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import ItemDecision, PowerItem, Run
from powerlist.vocab import ProposalState


def returned_proposals(
    session: Session, department_id: int, year: int
) -> dict[tuple[int, int | None], str]:
    """(item id, delegation id) → "退回修改：审核说明" for the department's sent-back proposals."""
    rows = session.execute(
        select(ItemDecision)
        .join(Run, Run.id == ItemDecision.run_id)
        .where(
            ItemDecision.department_id == department_id,
            ItemDecision.state == ProposalState.RETURNED.value,
            Run.period == str(year),
        )
        .order_by(ItemDecision.id)
    ).scalars()
    return {
        (p.item_id, p.delegation_id): f"退回修改（原意见：{p.decision}）：{p.review_note or ''}"
        for p in rows
    }


def proposal_states(session: Session, department_id: int) -> list[dict[str, object]]:
    """Every proposal of the department, newest first, for the portal's 部门意见 table."""

    rows = session.execute(
        select(ItemDecision, PowerItem.code, PowerItem.name)
        .outerjoin(PowerItem, PowerItem.id == ItemDecision.item_id)
        .where(ItemDecision.department_id == department_id)
        .order_by(ItemDecision.id.desc())
    ).all()
    return [
        {
            "run_id": p.run_id,
            "code": code or ((p.details or {}).get("new_item") or {}).get("code", ""),
            "name": name or ((p.details or {}).get("new_item") or {}).get("name", ""),
            "unit": (p.details or {}).get("unit_name", ""),
            "decision": p.decision,
            "reason": p.reason or "",
            "state": p.state,
            "review_note": p.review_note or "",
        }
        for p, code, name in rows
    ]
