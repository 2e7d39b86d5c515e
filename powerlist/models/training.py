"""Receiving units' staff, their training requirements (培训要求), records and law exams."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base, utcnow


class Staff(Base):
    """A staff member of a receiving unit; only what reminders and assessments need."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("receiving_units.id"), index=True)
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    credential_no: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # the day the person was first recorded as no longer 在岗; retention counts from it
    inactive_since: Mapped[date | None] = mapped_column(Date)


@event.listens_for(Staff.active, "set")
def _track_leaving(target: Staff, value: object, old: object, _initiator: object) -> None:
    """Stamp the day a person leaves (在岗 becomes 否); clear it when they are back."""
    if value is False and old is not False:
        target.inactive_since = utcnow().date()
    elif value:
        target.inactive_since = None


class TrainingRequirement(Base):
    """What staff of a role must do and how often, e.g. 20 学时 a year (谁委托、谁培训)."""

    __tablename__ = "training_requirements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(8))
    applies_to_role: Mapped[str | None] = mapped_column(String(16))  # None: every role
    every_months: Mapped[int | None] = mapped_column(Integer)
    hours_per_year: Mapped[float | None] = mapped_column(Float)
    counts_from: Mapped[str] = mapped_column(String(16), default="last_completion")


class TrainingRecord(Base):
    """A completed training or credential renewal of one staff member."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("training_requirements.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float, default=0)
    topic: Mapped[str | None] = mapped_column(String(256))
    trainer: Mapped[str | None] = mapped_column(String(128))


class ExamSession(Base):
    """A sitting of the yearly law exam (学法考法), or its resit (补考)."""

    __tablename__ = "exam_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("training_requirements.id"))
    name: Mapped[str] = mapped_column(String(128))
    year: Mapped[int] = mapped_column(Integer)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    resit: Mapped[bool] = mapped_column(Boolean, default=False)
    pass_mark: Mapped[float] = mapped_column(Float, default=60)


class ExamResult(Base):
    """One staff member's result in one exam session."""

    __tablename__ = "exam_results"
    __table_args__ = (UniqueConstraint("session_id", "staff_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    taken_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
