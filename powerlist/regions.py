"""Regions (所属地区): a 旗县区 reviews its own list in the same deployment (1+N+X levels).

A run scoped to a region has the scope text "region-固阳县" (also its folder name); every
job reads it with `scope_region` and keeps only that region's departments (or receiving units
in that district).
A department without a region belongs to the configured city.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Engine, func, select
from sqlalchemy.orm import Session

from powerlist.db import session_scope
from powerlist.models import Department, ReceivingUnit
from powerlist.settings import get_settings

REGION_PREFIX = "region-"


class UnknownRegion(ValueError):
    """No department and no receiving unit is in this region."""


def region_scope(region: str) -> str:
    """The run scope text for one region."""
    return f"{REGION_PREFIX}{region.strip()}"


def scope_region(scope: str) -> str | None:
    """The region a run scope names, or None for a city-wide or one-department scope."""
    return scope.removeprefix(REGION_PREFIX) if scope.startswith(REGION_PREFIX) else None


def department_region() -> ColumnElement[str]:
    """A department's region as SQL: its 所属地区, or the configured city when blank."""
    return func.coalesce(Department.region, get_settings().city)


def regions(session: Session) -> list[str]:
    """Every region departments or receiving units are in, city first."""
    city = get_settings().city
    found = set(session.scalars(select(department_region()).distinct()))
    found |= set(session.scalars(select(ReceivingUnit.district).distinct()))
    return sorted(found, key=lambda r: (r != city, r))


def check_region(session: Session, region: str) -> str:
    """The region as written, or UnknownRegion naming the regions there are."""
    known = regions(session)
    if region.strip() in known:
        return region.strip()
    listed = "、".join(known[:10]) or "（尚无部门，请先导入部门名录）"
    raise UnknownRegion(f"没有所属地区为“{region.strip()}”的部门或承接单位（现有：{listed}）")


def codes_in_region(session: Session, region: str) -> set[str]:
    """Codes of the departments in `region`."""
    return set(session.scalars(select(Department.code).where(department_region() == region)))


def region_scope_checked(engine: Engine, region: str, department: str | None = None) -> str:
    """The run scope for `region`, checked before a run exists (a ValueError says what's wrong)."""
    if department:
        raise ValueError("--region 与 --department 只能选一个")
    with session_scope(engine) as session:
        return region_scope(check_region(session, region))
