"""The reviewing office's 审核意见 workbook over HTTP: administrators download one per round."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy import Engine

from powerlist.api.deps import RowId, audit, current_caller, get_engine, not_found
from powerlist.api.report_access import content_disposition
from powerlist.db import session_scope
from powerlist.models import Run
from powerlist.review.verdicts import write_verdict_workbook
from powerlist.tokens import Caller

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
router = APIRouter(prefix="/api/runs", tags=["reviews"])


@router.get("/{run_id}/verdicts-workbook")
def verdicts_workbook(
    run_id: RowId, caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> Response:
    """The round's pending 部门意见 as a 审核意见 workbook to fill (administrators only)."""
    if not caller.is_admin:
        raise not_found()
    with tempfile.TemporaryDirectory(prefix="powerlist-verdicts-") as folder:
        with session_scope(engine) as session:
            if session.get(Run, run_id) is None:
                raise not_found()
            written = write_verdict_workbook(session, run_id, Path(folder))
        data, name = written.path.read_bytes(), written.path.name
    audit(engine, caller, "download_verdicts_workbook", "run", run_id, {"file": name})
    return Response(
        data,
        media_type=XLSX,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
