"""Delegations (下放/委托) of powers to receiving units and their monthly handling statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
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
    # 下放决定文号: the decision that delegated the power (行政处罚法第二十四条 needs a 省级 one)
    decision_document: Mapped[str | None] = mapped_column(String(256))


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
    # 好差评 (国办发〔2019〕51号): None when the unit's report has no ratings columns.
    ratings: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 评价数
    good_ratings: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 好评数
    poor_ratings_fixed: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 差评已整改数


class DelegationAssessment(Base):
    """The assessment (效能评估) of one delegation for one period: indicators, score, grade.

    Score and grade are None when the data needed is missing (never silently 0 or 100).
    The yearly review reads the latest yearly grade (its rule on poorly rated delegations).
    """

    __tablename__ = "delegation_assessments"
    __table_args__ = (UniqueConstraint("delegation_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id"), index=True)
    period: Mapped[str] = mapped_column(String(16))  # 2026 or 2026-Q3
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(8))  # 优秀/良好/合格/不合格
    recommendation: Mapped[str] = mapped_column(String(8))  # 继续/整改/收回
    reasons: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[dict[str, Any] | None] = mapped_column(JSON)
