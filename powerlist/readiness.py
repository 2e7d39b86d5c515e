"""Readiness (数据就绪检查): what each job needs, and what is missing or only guessed.

`powerlist check` prints this for an operator: each line says what to import or fix next.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from powerlist.imports.kinds.items import NEW_BASIS_NOTE
from powerlist.models import (
    Delegation,
    Department,
    HandlingStat,
    ItemBasis,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Staff,
)
from powerlist.workdays import known_year


@dataclass
class Readiness:
    """One job: whether it can run on complete data, and what to do otherwise."""

    job: str
    title: str
    ready: bool = True
    problems: list[str] = field(default_factory=list)

    def lack(self, message: str) -> None:
        """Record one thing missing or guessed."""
        self.ready = False
        self.problems.append(message)

    def as_dict(self) -> dict[str, Any]:
        """The JSON object `powerlist check --json` prints."""
        return asdict(self)


def _count(session: Session, query: Any) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def check_readiness(session: Session, today: date) -> list[Readiness]:
    """Readiness of yearly_review, delegation_assessment and training_reminders."""
    review = Readiness("yearly_review", "年度审核")
    if not _count(session, select(Department.id)):
        review.lack("没有部门：请先导入部门名录（powerlist import departments 文件）")
    if not _count(session, select(PowerItem.id)):
        review.lack("没有权责清单事项：请导入权责清单（powerlist import items 文件）")
    # created by the list import with a guessed level, and not since found in a registry import
    # (which sets the 文号)
    guessed = _count(
        session,
        select(LegalBasis.id).where(LegalBasis.note == NEW_BASIS_NOTE, LegalBasis.doc_number == ""),
    )
    if guessed:
        review.lack(
            f"{guessed} 部法律依据的效力级别是按名称推断的：请导入法律依据库"
            "（powerlist import laws 文件）核实"
        )
    cited = select(ItemBasis.item_id)
    bare = _count(session, select(PowerItem.id).where(PowerItem.id.not_in(cited)))
    if bare:
        review.lack(f"{bare} 项事项没有实施依据：请在权责清单“实施依据”列补齐后重新导入")

    assessment = Readiness("delegation_assessment", "下放委托事项评估")
    delegations = _count(session, select(Delegation.id))
    if not delegations:
        assessment.lack("没有下放委托事项：请导入（powerlist import delegations 文件）")
    counted = select(HandlingStat.delegation_id)
    missing = _count(
        session,
        select(Delegation.id).where(Delegation.revoked_on.is_(None), Delegation.id.not_in(counted)),
    )
    if missing:
        assessment.lack(
            f"{missing} 项下放委托事项没有办件统计：请导入（powerlist import handling 文件）"
        )

    training = Readiness("training_reminders", "培训提醒")
    if not _count(session, select(Staff.id)):
        training.lack("没有人员名册：请导入承接单位的人员名册（powerlist import staff 文件）")
    staffed = select(Staff.unit_id)
    units = session.scalars(
        select(ReceivingUnit.name)
        .where(ReceivingUnit.active.is_(True), ReceivingUnit.id.not_in(staffed))
        .order_by(ReceivingUnit.name)
    ).all()
    if units:
        shown = "、".join(units[:5]) + ("等" if len(units) > 5 else "")
        training.lack(
            f"{len(units)} 个承接单位没有人员名册（{shown}）：请导入（powerlist import staff 文件）"
        )
    if not known_year(today.year):
        for job in (training, review):
            job.lack(f"工作日历缺少 {today.year} 年：请在工作日调整文件中填写该年的节假日与调休")
    return [review, assessment, training]
