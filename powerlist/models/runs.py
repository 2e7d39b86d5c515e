"""The run ledger (one row per job, period and scope) and what runs produce."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from powerlist.models.base import Base, UTCDateTime, utcnow


class Run(Base):
    """One run of a job for a period and scope, e.g. yearly_review / 2026 / all.

    The unique key makes a second dispatch of the same key a no-op; status, progress and
    attempts are read from here, never from Celery's result backend.
    """

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("job", "period", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64), default="all")
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    trigger: Mapped[str] = mapped_column(String(64), default="cli")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    current: Mapped[str | None] = mapped_column(String(256))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RunStep(Base):
    """One step of a run (plan, one unit such as a department, finish), claimed by one worker.

    The step is the unit of retry: its attempts are capped, its owner (host:pid) and heartbeat
    tell a redelivered copy whether the claim is still alive, and `generation` ties it to one
    (possibly forced) execution of the run.
    """

    __tablename__ = "run_steps"
    __table_args__ = (UniqueConstraint("run_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(96))  # "plan", "unit:<code>", "finish"
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Finding(Base):
    """Something a review rule found about one item (or a missing item) in one run."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("power_items.id"))
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    suggested_action: Mapped[str | None] = mapped_column(String(16))
    # 事项编码 of a finding with no item on the list (a catalog item the list lacks)
    code: Mapped[str | None] = mapped_column(String(64))


class Report(Base):
    """A workbook a run wrote: who it is for, where it is, and its checksum."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("run_id", "kind", "department_id", "unit_id"),
        Index("ix_reports_unit_id_kind", "unit_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(256))
    path: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer)
    # sha256 of the rows in the workbook (rosters): a later run with the same digest reuses it
    content_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ItemDecision(Base):
    """A department's proposal (部门意见) on one item or one delegation, and its review (审核意见).

    The department's upload records the proposal in state 待审核; only the reviewing office's
    同意 changes the list. `delegation_id` names the delegation a 收回 ends (no foreign key: the
    delegations table is created after this one); a 下放/委托 to a new unit keeps the unit in
    `details`.
    """

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("run_id", "item_id", "delegation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("power_items.id"))  # None: 新增 pending
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delegation_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(8), default="待审核")
    basis_document: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_on: Mapped[date | None] = mapped_column(Date)


class ImportRecord(Base):
    """A file that was imported, by content hash, so importing it again is a no-op."""

    __tablename__ = "imports"
    __table_args__ = (UniqueConstraint("kind", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64), default="cli")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
