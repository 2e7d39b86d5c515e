"""The list itself: power items (权力事项), legal bases (法律依据) and the upper-level catalog."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base, UTCDateTime, utcnow


class PowerItem(Base):
    """One row of the list: a main item (主项) or one of its sub-items (子项).

    Codes are opaque strings (GB/T 39554.1 and provincial schemes differ). Duplicates are
    allowed in storage because finding them is the review's job.
    """

    __tablename__ = "power_items"
    __table_args__ = (
        Index("ix_power_items_department_code", "department_id", "code"),
        Index("ix_power_items_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))
    sub_item: Mapped[str | None] = mapped_column(String(512))
    category: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    unit: Mapped[str | None] = mapped_column(String(128))
    responsibilities: Mapped[str | None] = mapped_column(Text)
    accountability: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="保留")
    remarks: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LegalBasis(Base):
    """A law, regulation, rule or normative document that items cite (法律依据库)."""

    __tablename__ = "legal_bases"
    __table_args__ = (UniqueConstraint("title", "doc_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(256), index=True)
    doc_number: Mapped[str] = mapped_column(String(128), default="")
    level: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    issuer: Mapped[str | None] = mapped_column(String(128))
    promulgated_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    amended_on: Mapped[date | None] = mapped_column(Date)
    repealed_on: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("legal_bases.id"))
    note: Mapped[str | None] = mapped_column(Text)


class ItemBasis(Base):
    """An item's citation of a legal basis, with the cited articles (条款)."""

    __tablename__ = "item_bases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("power_items.id", ondelete="CASCADE"), index=True
    )
    basis_id: Mapped[int] = mapped_column(ForeignKey("legal_bases.id"), index=True)
    articles: Mapped[str | None] = mapped_column(Text)


class UpperCatalogEntry(Base):
    """An entry of the higher-level catalog (全国一张清单 / 自治区决定) and its decision."""

    __tablename__ = "upper_catalog_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(512))
    category: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), default="市")
    department_name: Mapped[str | None] = mapped_column(String(128), index=True)
    decision: Mapped[str] = mapped_column(String(8))
    decision_document: Mapped[str | None] = mapped_column(String(256))
    decided_on: Mapped[date | None] = mapped_column(Date)
    basis: Mapped[str | None] = mapped_column(Text)
