"""What an approved (同意) 部门意见 does to the list (审核同意后的调整).

保留 re-dates the item; 取消 ends its delegations; 变更 sets the named fields; 收回 ends one
delegation on the approval date and returns the item to 保留 only when none is left; 下放/委托
adds a delegation to a named (possibly new) unit; 新增 adds an item with its legal basis; 合并
and 拆分 take the item off the list and record which items it became. Each writes an audit
event `review_decision` that the adjusted list's 调整对照 reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.models import (
    AuditEvent,
    Delegation,
    Department,
    ItemBasis,
    ItemDecision,
    PowerItem,
    ReceivingUnit,
)
from powerlist.vocab import Proposal


def cannot_apply(session: Session, proposal: ItemDecision) -> list[str]:
    """Why an approval could not be carried out now (the list moved since the proposal)."""
    if proposal.decision == Proposal.TAKE_BACK and proposal.delegation_id is not None:
        delegation = session.get(Delegation, proposal.delegation_id)
        if delegation is None or delegation.revoked_on is not None:
            return ["该委托已收回，不能同意再次收回"]
    fields = (proposal.details or {}).get("fields") or {}
    if "department" in fields and _department(session, fields["department"]) is None:
        return [f"变更后的实施主体“{fields['department']}”不是已登记的部门"]
    return []


def _department(session: Session, name_or_code: str) -> Department | None:
    return session.scalars(
        select(Department).where(
            (Department.name == name_or_code) | (Department.code == name_or_code)
        )
    ).first()


def apply_approved(
    session: Session, proposal: ItemDecision, item: PowerItem, on: date, actor: str
) -> None:
    """Carry out one approved proposal on the list and record it (审计记录 review_decision)."""
    before = _state(item)
    decision = proposal.decision
    unit_name: str | None = None
    lineage: str | None = None
    if decision == Proposal.CANCEL:
        item.status = "取消"
        for delegation in _active(session, item.id):
            delegation.revoked_on = on
    elif decision in (Proposal.MERGE, Proposal.SPLIT):
        lineage = _apply_lineage(session, proposal, item, on, actor)
    elif decision == Proposal.CHANGE:
        for key, value in ((proposal.details or {}).get("fields") or {}).items():
            if key == "department":
                department = _department(session, value)
                assert department is not None  # checked in _cannot_apply
                item.department_id = department.id
            else:
                setattr(item, key, value)
    elif decision == Proposal.TAKE_BACK and proposal.delegation_id is not None:
        delegation = session.get_one(Delegation, proposal.delegation_id)
        delegation.revoked_on = on
        unit_name = session.get_one(ReceivingUnit, delegation.unit_id).name
        session.flush()
        if not _active(session, item.id):
            item.status = "保留"
    elif decision in (Proposal.DELEGATE, Proposal.ENTRUST):
        details = proposal.details or {}
        unit = _unit(session, details)
        unit_name = unit.name
        session.add(Delegation(item_id=item.id, from_department_id=item.department_id,
                               unit_id=unit.id, mode=decision, since=on,
                               agreement=(proposal.basis_document or None)))  # fmt: skip
        if item.status not in ("下放", "委托"):
            item.status = decision
    item.version = (item.version or 1) + 1
    item.last_reviewed_on = on
    session.add(AuditEvent(
        actor=actor, action="review_decision", entity="power_item", entity_id=str(item.id),
        before=before,
        after={**_state(item), "decision": decision, "reason": proposal.reason,
               "basis_document": proposal.basis_document, "unit": unit_name,
               "delegation_id": proposal.delegation_id, "proposal_id": proposal.id,
               "run_id": proposal.run_id, "approved_on": on.isoformat(), "lineage": lineage},
    ))  # fmt: skip


def _apply_lineage(
    session: Session, proposal: ItemDecision, item: PowerItem, on: date, actor: str
) -> str:
    """合并/拆分: the item leaves the list (取消) and records which items it became, both ways."""
    details = proposal.details or {}
    item.status = "取消"
    for delegation in _active(session, item.id):
        delegation.revoked_on = on
    if details.get("merge_into_id"):
        target = session.get_one(PowerItem, details["merge_into_id"])
        item.extra = {**(item.extra or {}), "merged_into": target.code}
        merged_from = [*(target.extra or {}).get("merged_from", []), item.code]
        target.extra = {**(target.extra or {}), "merged_from": merged_from}
        return f"并入{target.code} {target.name}"
    made = []
    bases = session.scalars(select(ItemBasis).where(ItemBasis.item_id == item.id)).all()
    for part in details.get("split_into", []):
        new = PowerItem(code=part["code"], name=part["name"], category=item.category,
                        department_id=item.department_id, unit=item.unit,
                        responsibilities=item.responsibilities,
                        accountability=item.accountability, status="保留", version=1,
                        last_reviewed_on=on, extra={"split_from": item.code})  # fmt: skip
        session.add(new)
        session.flush()
        for basis in bases:
            session.add(ItemBasis(item_id=new.id, basis_id=basis.basis_id, articles=basis.articles))
        session.add(AuditEvent(
            actor=actor, action="review_decision", entity="power_item", entity_id=str(new.id),
            before=None, after={**_state(new), "decision": "拆分", "split_from": item.code,
                                "proposal_id": proposal.id, "approved_on": on.isoformat()},
        ))  # fmt: skip
        made.append(f"{new.code} {new.name}")
    item.extra = {**(item.extra or {}), "split_into": [p["code"] for p in details["split_into"]]}
    return "拆分为" + "、".join(made)


def add_approved_item(session: Session, proposal: ItemDecision, on: date, actor: str) -> PowerItem:
    """An approved 新增: the item joins the department's list with its legal basis."""
    new = (proposal.details or {})["new_item"]
    item = PowerItem(code=new["code"], name=new["name"], sub_item=new.get("sub_item"),
                     category=new["category"], department_id=proposal.department_id,
                     status="保留", version=1, last_reviewed_on=on)  # fmt: skip
    session.add(item)
    session.flush()
    session.add(ItemBasis(item_id=item.id, basis_id=new["basis_id"], articles=new.get("articles")))
    proposal.item_id = item.id
    session.add(AuditEvent(
        actor=actor, action="review_decision", entity="power_item", entity_id=str(item.id),
        before=None,
        after={**_state(item), "decision": proposal.decision, "reason": proposal.reason,
               "basis_document": proposal.basis_document, "proposal_id": proposal.id,
               "run_id": proposal.run_id, "approved_on": on.isoformat()},
    ))  # fmt: skip
    return item


def _active(session: Session, item_id: int) -> list[Delegation]:
    return list(
        session.scalars(
            select(Delegation).where(Delegation.item_id == item_id, Delegation.revoked_on.is_(None))
        )
    )


def _unit(session: Session, details: dict[str, Any]) -> ReceivingUnit:
    """The named receiving unit, created with its 单位类型 and 所属地区 when new."""
    name = details["unit_name"]
    unit = session.scalars(select(ReceivingUnit).where(ReceivingUnit.name == name)).first()
    if unit is not None:
        return unit
    taken = set(session.scalars(select(ReceivingUnit.code)))
    number = len(taken) + 1
    while f"RU{number:04d}" in taken:
        number += 1
    unit = ReceivingUnit(code=f"RU{number:04d}", name=name, district=details.get("district") or "",
                         kind=details.get("unit_kind") or "")  # fmt: skip
    session.add(unit)
    session.flush()
    return unit


def _state(item: PowerItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "department_id": item.department_id,
        "status": item.status,
        "version": item.version,
        "last_reviewed_on": item.last_reviewed_on.isoformat() if item.last_reviewed_on else None,
    }
