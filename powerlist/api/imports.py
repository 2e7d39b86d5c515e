"""Importing the legal-basis registry (法律依据库) over HTTP, for administrators: all or nothing,
like `powerlist import laws`; a law change (立改废释) queues its 个别调整 run at once."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from powerlist.adjustment.trigger import start_for_import
from powerlist.api.deps import audit, current_caller, get_engine
from powerlist.api.uploads import FORM_OVERHEAD, UPLOAD_BODY, _save
from powerlist.db import session_scope
from powerlist.excel.reading import UnsafeFile
from powerlist.imports import ImportRejected, import_file
from powerlist.runtime.ledger import PLAN
from powerlist.runtime.runner import run_in_process
from powerlist.runtime.steps import limits_from
from powerlist.settings import get_settings
from powerlist.tokens import Caller

router = APIRouter(prefix="/api/imports", tags=["imports"])
SUFFIXES = (".xlsx", ".csv")


def _import(engine: Engine, caller: Caller, path: Path, name: str) -> tuple[int, dict[str, Any]]:
    try:
        with session_scope(engine) as session:
            result = import_file(session, "laws", path, actor=caller.actor, file_name=name)
    except ImportRejected as rejected:
        return 422, {"status": "refused", "problems": [str(e) for e in rejected.errors]}
    except UnsafeFile as error:
        return 415, {"status": "refused", "problems": [str(error)]}
    answer: dict[str, Any] = {
        "status": "already_imported" if result.already_imported else "imported",
        "rows": result.rows,
        "created": result.counts.created,
        "updated": result.counts.updated,
        "unchanged": result.counts.unchanged,
        "notes": result.notes,
        "law_changes": [c.as_dict() for c in result.law_changes],
        "adjustment_run": None,
    }
    if result.import_id is not None and result.law_changes:
        started = start_for_import(engine, result.import_id, trigger=f"api:{caller.actor}"[:64])
        if started is not None:
            answer["adjustment_run"] = started.claim.run_id
            answer["_claim"] = started.claim
    return 200, answer


@router.post("/laws", openapi_extra={"requestBody": UPLOAD_BODY})
async def import_laws(
    request: Request,
    background: BackgroundTasks,
    caller: Caller = Depends(current_caller),
    engine: Engine = Depends(get_engine),
) -> JSONResponse:
    """Import a laws file (multipart field `file`, .xlsx or .csv); administrators only."""
    if not caller.is_admin:
        return JSONResponse(
            {"status": "refused", "problems": ["只有管理员可以导入法律依据库"]}, 403
        )
    limit = get_settings().import_max_bytes
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return JSONResponse({"status": "refused", "problems": ["缺少 Content-Length"]}, 411)
    if int(declared) > limit + FORM_OVERHEAD:
        return JSONResponse(
            {"status": "refused", "problems": [f"文件过大：上限 {limit:,} 字节"]}, 413
        )
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return JSONResponse({"status": "refused", "problems": ["缺少文件字段 file"]}, 422)
    given = Path(upload.filename or "laws.xlsx").name[:200]
    suffix = Path(given).suffix.lower()
    if suffix not in SUFFIXES:
        problem = f"{given}：只接受 .xlsx 或 .csv 文件"
        return JSONResponse({"status": "refused", "problems": [problem]}, 415)
    with tempfile.TemporaryDirectory(prefix="powerlist-laws-") as folder:
        path = Path(folder) / f"laws{suffix}"  # never a name or path from the request
        if not await _save(upload, path, limit):
            return JSONResponse({"status": "refused", "problems": ["文件过大"]}, 413)
        code, answer = await run_in_threadpool(_import, engine, caller, path, given)
    claim = answer.pop("_claim", None)
    if claim is not None:
        settings = get_settings()
        if settings.api_run_mode == "queue":
            from tasks.dispatch import send_steps  # the Celery edge, imported only when queueing

            send_steps(claim.run_id, claim.generation, "adjustment_review", [PLAN])
        else:
            background.add_task(
                run_in_process, engine, claim,
                limits=limits_from(settings), reports_root=settings.reports_dir,
            )  # fmt: skip
    outcome = {"status": answer["status"], "http": code, "run": answer.get("adjustment_run")}
    audit(engine, caller, "import_laws", "imports", given, outcome)
    return JSONResponse(answer, status_code=code)
