"""Counts that describe what a database holds, for the demo's summary and health checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from powerlist.models import (
    Delegation,
    Department,
    ExamResult,
    HandlingStat,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    UpperCatalogEntry,
)


def _count(session: Session, model: Any) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def _grouped(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
    return {str(key): count for key, count in rows}


def dataset_summary(session: Session) -> dict[str, Any]:
    """Counts of departments, items by status and type, delegations, staff and laws."""
    by_status = _grouped(session, PowerItem.status)
    return {
        "departments": _count(session, Department),
        "departments_active": session.execute(
            select(func.count()).select_from(Department).where(Department.active.is_(True))
        ).scalar_one(),
        "items": _count(session, PowerItem),
        "items_by_status": by_status,
        "items_cancelled_delegated_entrusted": sum(
            by_status.get(s, 0) for s in ("取消", "下放", "委托")
        ),
        "items_by_type": _grouped(session, PowerItem.category),
        "legal_bases_by_status": _grouped(session, LegalBasis.status),
        "upper_catalog_by_decision": _grouped(session, UpperCatalogEntry.decision),
        "receiving_units": _count(session, ReceivingUnit),
        "delegations": _count(session, Delegation),
        "handling_stat_months": _count(session, HandlingStat),
        "staff": _count(session, Staff),
        "training_records": _count(session, TrainingRecord),
        "exam_results": _count(session, ExamResult),
    }


HEADLINE_STATUSES = ("保留", "取消", "下放", "委托")
"""The statuses the headline figures count: the article's 6,834 items and 891 取消/下放/委托."""


def successor_of(departments: dict[int, tuple[int | None, bool]]) -> dict[int, int]:
    """Each department id → the id its items now count under (merged departments' successor).

    `departments` maps id → (merged_into_id, active); chains of mergers are followed.
    """
    result: dict[int, int] = {}
    for department_id in departments:
        current, seen = department_id, set()
        while True:
            merged_into, active = departments[current]
            if (
                active
                or merged_into is None
                or merged_into in seen
                or merged_into not in departments
            ):
                break
            seen.add(current)
            current = merged_into
        result[department_id] = current
    return result


def headline_figures(session: Session) -> dict[str, Any]:
    """Items on the list and by status (保留/取消/下放/委托), city-wide, by department and type.

    A merged department's items count under its successor, as its workbook shows them.
    """
    departments = {
        row.id: row for row in session.execute(select(Department.id, Department.name,
                                                      Department.merged_into_id,
                                                      Department.active))
    }  # fmt: skip
    owner = successor_of({i: (r.merged_into_id, bool(r.active)) for i, r in departments.items()})
    by_department: dict[str, dict[str, int]] = {}
    by_type: dict[str, dict[str, int]] = {}
    city = _blank()
    rows = session.execute(
        select(
            PowerItem.department_id, PowerItem.category, PowerItem.status, func.count()
        ).group_by(PowerItem.department_id, PowerItem.category, PowerItem.status)
    ).all()
    for department_id, category, status, count in rows:
        name = departments[owner[department_id]].name
        for table, key in ((by_department, name), (by_type, category)):
            _add(table.setdefault(key, _blank()), status, count)
        _add(city, status, count)
    return {
        "city": city,
        "by_department": dict(sorted(by_department.items(), key=lambda kv: -kv[1]["事项总数"])),
        "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1]["事项总数"])),
    }


def _blank() -> dict[str, int]:
    return {"事项总数": 0, **dict.fromkeys(HEADLINE_STATUSES, 0), "取消下放委托": 0}


def _add(figures: dict[str, int], status: str, count: int) -> None:
    figures["事项总数"] += count
    if status in figures:
        figures[status] += count
    if status in ("取消", "下放", "委托"):
        figures["取消下放委托"] += count


def headline_table(figures: dict[str, Any], *, departments: bool = True) -> list[str]:
    """The headline figures as aligned text lines (city, by power type, by department)."""
    head = ("", "事项总数", *HEADLINE_STATUSES, "取消下放委托")
    lines = [_line(head)]
    lines.append(_line(("全市", *figures["city"].values())))
    sections = [("按权力类型", figures["by_type"])]
    if departments:
        sections.append(("按部门", figures["by_department"]))
    for title, table in sections:
        lines.append(f"— {title} —")
        lines += [_line((name, *values.values())) for name, values in table.items()]
    return lines


def _line(cells: tuple[object, ...]) -> str:
    name, *numbers = cells
    return _pad(str(name), 38, left=True) + "".join(_pad(f"{n}", 14) for n in numbers)


def _pad(text: str, width: int, *, left: bool = False) -> str:
    """Pad to a display width, counting a Chinese character as two columns."""
    gap = " " * max(1, width - sum(2 if ord(ch) > 127 else 1 for ch in text))
    return text + gap if left else gap + text


def headline_note(city: dict[str, int]) -> str:
    """One line of the city's headline figures, for a workbook's 说明."""
    in_force = city["保留"] + city["下放"] + city["委托"]
    return (
        f"全市清单事项{city['事项总数']}项：保留{city['保留']}项、下放{city['下放']}项、"
        f"委托{city['委托']}项、取消{city['取消']}项（取消下放委托合计{city['取消下放委托']}项）；"
        f"在册（保留、下放、委托）{in_force}项，合并部门的事项计入承继部门"
    )
