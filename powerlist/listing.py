"""Read-only queries behind `powerlist departments list` and `powerlist items list`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from powerlist.models import Department, ItemBasis, LegalBasis, PowerItem
from powerlist.settings import get_settings


class DepartmentNotFound(LookupError):
    """No department has this name or code."""


def find_department(session: Session, name_or_code: str) -> Department:
    """The department whose code, full name or short name is `name_or_code`.

    Users type 市生态环境局 as often as 包头市生态环境局, so a unique name ending also matches.
    """
    wanted = name_or_code.strip()
    exact = session.scalars(
        select(Department).where(
            or_(
                Department.code == wanted,
                Department.name == wanted,
                Department.short_name == wanted,
            )
        )
    ).all()
    if len(exact) == 1:
        return exact[0]
    tail = wanted.removeprefix("市")
    loose = session.scalars(
        select(Department).where(
            Department.name.endswith(tail, autoescape=True), Department.level == "市"
        )
    ).all()
    if len(loose) == 1 and tail:
        return loose[0]
    candidates = "、".join(d.name for d in (exact or loose)[:5])
    hint = f"（可能是：{candidates}）" if candidates else ""
    raise DepartmentNotFound(f"找不到部门“{wanted}”{hint}")


def list_departments(session: Session) -> list[dict[str, Any]]:
    """Every department with its level, status, successor and number of items."""
    city = get_settings().city
    successor = aliased(Department)
    rows = session.execute(
        select(Department, successor.name)
        .outerjoin(successor, Department.merged_into_id == successor.id)
        .order_by(Department.id)
    ).all()
    counts = dict(
        session.execute(
            select(PowerItem.department_id, func.count(PowerItem.id)).group_by(
                PowerItem.department_id
            )
        ).all()
    )
    return [
        {
            "code": d.code,
            "name": d.name,
            "level": d.level,
            "region": d.region or city,
            "category": d.category,
            "active": d.active,
            "merged_into": merged_into,
            "abolished_on": d.abolished_on.isoformat() if d.abolished_on else None,
            "items": counts.get(d.id, 0),
        }
        for d, merged_into in rows
    ]


def list_items(
    session: Session, department: Department | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Items in list order with their legal bases, optionally of one department."""
    query = select(PowerItem, Department.name).join(Department).order_by(PowerItem.id)
    if department is not None:
        query = query.where(PowerItem.department_id == department.id)
    if limit:
        query = query.limit(limit)
    rows = session.execute(query).all()
    bases = _bases_of(session, [item.id for item, _ in rows])
    return [
        {
            "code": item.code,
            "name": item.name,
            "sub_item": item.sub_item,
            "category": item.category,
            "department": department_name,
            "unit": item.unit,
            "status": item.status,
            "legal_bases": bases.get(item.id, []),
            "responsibilities": item.responsibilities,
            "accountability": item.accountability,
            "last_reviewed_on": item.last_reviewed_on.isoformat()
            if item.last_reviewed_on
            else None,
            "version": item.version,
        }
        for item, department_name in rows
    ]


def _bases_of(session: Session, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(item_ids), 5000):
        chunk = item_ids[start : start + 5000]
        rows = session.execute(
            select(
                ItemBasis.item_id,
                LegalBasis.title,
                LegalBasis.level,
                LegalBasis.status,
                ItemBasis.articles,
            )
            .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
            .where(ItemBasis.item_id.in_(chunk))
            .order_by(ItemBasis.id)
        ).all()
        for item_id, title, level, status, articles in rows:
            out.setdefault(item_id, []).append(
                {"title": title, "articles": articles, "level": level, "status": status}
            )
    return out
