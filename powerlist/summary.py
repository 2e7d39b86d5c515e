"""Counts that describe what a database holds, for the demo's summary and health checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from powerlist.models import (
    Delegation,
    Department,
    ExamResult,
    HandlingStat,
    LegalBasis,
    PowerItem,
    ReceivingUnit,
    Staff,
    TrainingRecord,
    UpperCatalogEntry,
)


def _count(session: Session, model: Any) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def _grouped(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column).order_by(column)).all()
    return {str(key): count for key, count in rows}


def dataset_summary(session: Session) -> dict[str, Any]:
    """Counts of departments, items by status and type, delegations, staff and laws."""
    by_status = _grouped(session, PowerItem.status)
    return {
        "departments": _count(session, Department),
        "departments_active": session.execute(
            select(func.count()).select_from(Department).where(Department.active.is_(True))
        ).scalar_one(),
        "items": _count(session, PowerItem),
        "items_by_status": by_status,
        "items_cancelled_delegated_entrusted": sum(
            by_status.get(s, 0) for s in ("取消", "下放", "委托")
        ),
        "items_by_type": _grouped(session, PowerItem.category),
        "legal_bases_by_status": _grouped(session, LegalBasis.status),
        "upper_catalog_by_decision": _grouped(session, UpperCatalogEntry.decision),
        "receiving_units": _count(session, ReceivingUnit),
        "delegations": _count(session, Delegation),
        "handling_stat_months": _count(session, HandlingStat),
        "staff": _count(session, Staff),
        "training_records": _count(session, TrainingRecord),
        "exam_results": _count(session, ExamResult),
    }
