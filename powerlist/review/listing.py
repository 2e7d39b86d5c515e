"""Findings of a year's review (审核发现) as plain rows, for `powerlist review findings`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from powerlist.models import Department, Finding, PowerItem, Run
from powerlist.review.config import RULE_KEYS

FINDING_KEYS = ("department", "code", "sub_item", "rule", "severity", "message")
"""The keys of every row `review findings --json` prints (interface: keep them)."""

SEVERITY_ORDER = {"高": 0, "中": 1, "低": 2}


class FindingsQueryError(ValueError):
    """No review run for the year, or no such department; the message says what to do."""


def review_run(session: Session, year: int) -> Run:
    """The year's yearly-review run: the city-wide one if there is one, else the latest."""
    runs = session.scalars(
        select(Run).where(Run.job == "yearly_review", Run.period == str(year)).order_by(Run.id)
    ).all()
    if not runs:
        raise FindingsQueryError(
            f"{year}年度尚未运行年度审核，请先运行 powerlist run yearly-review --period {year}"
        )
    whole = [run for run in runs if run.scope == "all"]
    return (whole or runs)[-1]


def list_findings(
    session: Session, year: int, department: str | None = None
) -> list[dict[str, Any]]:
    """Every finding of the year's review (optionally one department, by code or name)."""
    run = review_run(session, year)
    query = (
        select(Department.name, PowerItem.code, PowerItem.sub_item, Finding)
        .join(Department, Finding.department_id == Department.id)
        .outerjoin(PowerItem, Finding.item_id == PowerItem.id)
        .where(Finding.run_id == run.id)
    )
    if department:
        found = session.scalar(
            select(Department.id).where(
                or_(Department.code == department, Department.name == department)
            )
        )
        if found is None:
            raise FindingsQueryError(f"找不到部门“{department}”，请填写部门编码或全称")
        query = query.where(Finding.department_id == found)
    rule_order = {rule: n for n, rule in enumerate(RULE_KEYS)}
    rows = [
        {
            "department": name,
            "code": code or finding.code,
            "sub_item": sub_item,
            "rule": finding.rule,
            "severity": finding.severity,
            "message": finding.message,
            "_order": (
                name,
                SEVERITY_ORDER.get(finding.severity, 9),
                rule_order.get(finding.rule, 99),
                code or finding.code or "",
                finding.id,
            ),
        }
        for name, code, sub_item, finding in session.execute(query)
    ]
    rows.sort(key=lambda row: row["_order"])
    return [{key: row[key] for key in FINDING_KEYS} for row in rows]
