"""Delegations (下放/委托) of powers to receiving units and their monthly handling statistics."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base


class Delegation(Base):
    """A power item handed by a department to a receiving unit, since a date, maybe revoked."""

    __tablename__ = "delegations"
    __table_args__ = (UniqueConstraint("item_id", "unit_id", "since"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("power_items.id"), index=True)
    from_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("receiving_units.id"), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    since: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    agreement: Mapped[str | None] = mapped_column(String(256))


class HandlingStat(Base):
    """Cases handled under one delegation in one month (办件统计)."""

    __tablename__ = "handling_stats"
    __table_args__ = (UniqueConstraint("delegation_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    received: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    poor_ratings: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
