"""A returned review workbook (回传工作簿) arriving over HTTP: safety checks, owner check, import.

The spreadsheet checks run first (size, zip directory, type), then the workbook's identity must
name the caller's own department, and only then are its 部门意见 recorded (待审核), all or nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.excel import MetadataError, read_metadata
from powerlist.excel.reading import check_file_size, check_workbook_zip
from powerlist.models import ItemDecision, PowerItem
from powerlist.review.decisions import DecisionImportError, ImportOutcome, import_decisions
from powerlist.review.identity import IdentityError, identity_from_metadata
from powerlist.tokens import Caller


class NotCallersWorkbook(LookupError):
    """The workbook was written for another department (answered like a missing object)."""


def import_returned_workbook(session: Session, path: Path, caller: Caller) -> ImportOutcome:
    """Check a returned workbook and record its 部门意见 for the caller's department.

    Raises UnsafeFile (size, zip bomb, not an .xlsx), DecisionImportError (row problems, not
    a review workbook) or NotCallersWorkbook; nothing is written unless all checks pass.
    """
    check_file_size(path)
    check_workbook_zip(path)
    if not caller.is_admin:
        try:
            identity = identity_from_metadata(read_metadata(path))
        except (MetadataError, IdentityError) as error:
            raise DecisionImportError(
                path.name, [f"不是本系统生成的审核工作簿，或审核标识已被改动（{error}）"]
            ) from error
        if identity.department_code != caller.department_code:
            raise NotCallersWorkbook(identity.department_code)
    return import_decisions(session, path, actor=caller.actor)


def decisions_from_file(session: Session, sha256: str) -> list[dict[str, str]]:
    """The 部门意见 recorded from one returned file (by content hash), with their state."""
    rows = session.execute(
        select(
            PowerItem.code,
            PowerItem.name,
            ItemDecision.decision,
            ItemDecision.reason,
            ItemDecision.state,
            ItemDecision.details,
        )
        .outerjoin(PowerItem, PowerItem.id == ItemDecision.item_id)
        .where(ItemDecision.source_sha256 == sha256)
        .order_by(PowerItem.code, PowerItem.id)
    )
    answer = []
    for code, name, decision, reason, state, details in rows:
        new = (details or {}).get("new_item") or {}
        answer.append({"code": code or new.get("code", ""), "name": name or new.get("name", ""),
                       "decision": decision, "reason": reason or "", "state": state})  # fmt: skip
    return answer
