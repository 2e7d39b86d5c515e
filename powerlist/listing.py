"""Read-only queries behind `powerlist departments list` and `powerlist items list`.

Core queries on powerlist.tables, not the ORM, so these commands start at once. Callers pass a
Session or a Connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import func, or_, select

from powerlist.tables import departments, item_bases, legal_bases, power_items

if TYPE_CHECKING:
    from powerlist.tables import Reader


class DepartmentNotFound(LookupError):
    """No department has this name or code."""


class DepartmentRef(NamedTuple):
    """A department (部门) found by name or code: its id, code and full name."""

    id: int
    code: str
    name: str


def find_department(reader: Reader, name_or_code: str) -> DepartmentRef:
    """The department whose code, full name or short name is `name_or_code`.

    Users type 市生态环境局 as often as 包头市生态环境局, so a unique name ending also matches.
    """
    wanted = name_or_code.strip()
    d = departments.c
    found = select(d.id, d.code, d.name).order_by(d.id)
    exact = [
        DepartmentRef(*row)
        for row in reader.execute(
            found.where(or_(d.code == wanted, d.name == wanted, d.short_name == wanted))
        )
    ]
    if len(exact) == 1:
        return exact[0]
    tail = wanted.removeprefix("市")
    loose = [
        DepartmentRef(*row)
        for row in reader.execute(
            found.where(d.name.endswith(tail, autoescape=True), d.level == "市")
        )
    ]
    if len(loose) == 1 and tail:
        return loose[0]
    candidates = "、".join(ref.name for ref in (exact or loose)[:5])
    hint = f"（可能是：{candidates}）" if candidates else ""
    raise DepartmentNotFound(f"找不到部门“{wanted}”{hint}")


def list_departments(reader: Reader, city: str) -> list[dict[str, Any]]:
    """Every department with its level, status, successor and number of items; a department
    without a region (所属地区) is in `city`."""
    d = departments.c
    successor = departments.alias("successor")
    rows = reader.execute(
        select(
            d.id, d.code, d.name, d.level, d.region, d.category, d.active,
            successor.c.name.label("merged_into"), d.abolished_on,
        )
        .outerjoin_from(departments, successor, d.merged_into_id == successor.c.id)
        .order_by(d.id)
    ).mappings()  # fmt: skip
    counts = dict(
        reader.execute(
            select(power_items.c.department_id, func.count()).group_by(power_items.c.department_id)
        ).all()
    )
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "level": row["level"],
            "region": row["region"] or city,
            "category": row["category"],
            "active": row["active"],
            "merged_into": row["merged_into"],
            "abolished_on": row["abolished_on"].isoformat() if row["abolished_on"] else None,
            "items": counts.get(row["id"], 0),
        }
        for row in rows
    ]


def list_items(
    reader: Reader, department: DepartmentRef | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Items in list order with their legal bases, optionally of one department."""
    i = power_items.c
    query = (
        select(
            i.id, i.code, i.name, i.sub_item, i.category, departments.c.name.label("department"),
            i.unit, i.status, i.responsibilities, i.accountability, i.last_reviewed_on, i.version,
        )
        .join_from(power_items, departments, i.department_id == departments.c.id)
        .order_by(i.id)
    )  # fmt: skip
    if department is not None:
        query = query.where(i.department_id == department.id)
    if limit:
        query = query.limit(limit)
    rows = reader.execute(query).mappings().all()
    bases = _bases_of(reader, [row["id"] for row in rows])
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "sub_item": row["sub_item"],
            "category": row["category"],
            "department": row["department"],
            "unit": row["unit"],
            "status": row["status"],
            "legal_bases": bases.get(row["id"], []),
            "responsibilities": row["responsibilities"],
            "accountability": row["accountability"],
            "last_reviewed_on": row["last_reviewed_on"].isoformat()
            if row["last_reviewed_on"]
            else None,
            "version": row["version"],
        }
        for row in rows
    ]


def _bases_of(reader: Reader, item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    b, law = item_bases.c, legal_bases.c
    for start in range(0, len(item_ids), 5000):
        chunk = item_ids[start : start + 5000]
        rows = reader.execute(
            select(b.item_id, law.title, law.level, law.status, b.articles)
            .join_from(item_bases, legal_bases, b.basis_id == law.id)
            .where(b.item_id.in_(chunk))
            .order_by(b.id)
        ).all()
        for item_id, title, level, status, articles in rows:
            out.setdefault(item_id, []).append(
                {"title": title, "articles": articles, "level": level, "status": status}
            )
    return out
