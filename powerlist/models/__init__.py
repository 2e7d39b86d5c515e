"""The data model (SQLAlchemy 2.x). Importing this package registers every table."""

from powerlist.models.audit import AuditEvent
from powerlist.models.base import Base, utcnow
from powerlist.models.delegations import Delegation, DelegationAssessment, HandlingStat
from powerlist.models.items import ItemBasis, LegalBasis, PowerItem, UpperCatalogEntry
from powerlist.models.law_changes import LawChange
from powerlist.models.messages import OutboxMessage, Reminder
from powerlist.models.org import Department, ReceivingUnit
from powerlist.models.runs import Finding, ImportRecord, ItemDecision, Report, Run, RunStep
from powerlist.models.tokens import ApiToken
from powerlist.models.training import (
    ExamResult,
    ExamSession,
    Staff,
    TrainingRecord,
    TrainingRequirement,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Delegation",
    "DelegationAssessment",
    "Department",
    "ExamResult",
    "ExamSession",
    "Finding",
    "HandlingStat",
    "ImportRecord",
    "ItemBasis",
    "ItemDecision",
    "LawChange",
    "LegalBasis",
    "OutboxMessage",
    "PowerItem",
    "ReceivingUnit",
    "Reminder",
    "Report",
    "Run",
    "RunStep",
    "Staff",
    "TrainingRecord",
    "TrainingRequirement",
    "UpperCatalogEntry",
    "utcnow",
]
