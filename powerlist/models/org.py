"""Organisations: departments (部门) that hold powers and receiving units (承接单位)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from powerlist.models.base import Base
from powerlist.vocab import unit_kind


class Department(Base):
    """A department (部门) that implements powers: 市生态环境局, a district bureau, a street."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    abolished_on: Mapped[date | None] = mapped_column(Date)
    contact_email: Mapped[str | None] = mapped_column(String(128))
    # 所属地区 (包头市, 固阳县 …): a region's runs cover only its departments
    region: Mapped[str | None] = mapped_column(String(64))
    # 机构类别 (政府工作部门, 直属机构, 事业单位 …) as the 编办 publishes it
    category: Mapped[str | None] = mapped_column(String(32))


class ReceivingUnit(Base):
    """A unit that received delegated (下放) or entrusted (委托) powers: 青山区住房和城乡建设局."""

    __tablename__ = "receiving_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    head_name: Mapped[str | None] = mapped_column(String(64))
    head_email: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @validates("kind")
    def _canonical_kind(self, _key: str, value: str) -> str:
        """单位类型 is a closed vocabulary (vocab.UnitKind); aliases are stored canonically."""
        return unit_kind(value, self.name or "").value
