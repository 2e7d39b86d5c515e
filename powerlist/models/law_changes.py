"""Law changes (法规变动, 立改废释) found by a laws import: what changed, in which import, when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base, UTCDateTime, utcnow


class LawChange(Base):
    """One changed field of one law (status, 修改日期, 废止日期, 施行日期, successor) in one import.

    The rows of one import are the change set its 个别调整 run (adjustment_review) reviews.
    """

    __tablename__ = "law_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("legal_bases.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String(256))
    new: Mapped[str | None] = mapped_column(String(256))
    detected_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
