"""Uploads (回传): a department returns its 部门意见 workbook, the reviewing office its
审核意见 workbook; the answer lists row errors or what was recorded. The file is saved under a
fixed name in a private temp folder."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from powerlist.api.deps import audit, current_caller, get_engine, not_found
from powerlist.artifacts import sha256_of
from powerlist.db import session_scope
from powerlist.excel.reading import UnsafeFile, check_file_size, check_workbook_zip
from powerlist.models import ImportRecord
from powerlist.review.decisions import IMPORT_KIND as DECISIONS_KIND
from powerlist.review.decisions import DecisionImportError
from powerlist.review.upload import (
    NotCallersWorkbook,
    decisions_from_file,
    import_returned_workbook,
)
from powerlist.review.verdicts import VerdictImportError, import_verdicts
from powerlist.settings import get_settings
from powerlist.tokens import Caller

router = APIRouter(prefix="/api/uploads", tags=["uploads"])
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file
CHUNK = 256 * 1024
RETURNED_NAME = "returned.xlsx"  # never a name or path from the request


async def receive_review_workbook(
    request: Request, caller: Caller, engine: Engine
) -> tuple[int, dict[str, Any]]:
    """Size-check, save and import an uploaded review workbook; (HTTP status, answer)."""
    return await _receive(request, caller, engine, _import, "upload_review_workbook")


async def _receive(
    request: Request,
    caller: Caller,
    engine: Engine,
    importer: Callable[[Engine, Caller, Path], tuple[int, dict[str, Any]]],
    action: str,
) -> tuple[int, dict[str, Any]]:
    limit = get_settings().import_max_bytes
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        return 411, {"status": "refused", "problems": ["缺少 Content-Length"]}
    if int(declared) > limit + FORM_OVERHEAD:
        return 413, {"status": "refused", "problems": [f"文件过大：上限 {limit:,} 字节"]}
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return 422, {"status": "refused", "problems": ["缺少文件字段 file"]}
    with tempfile.TemporaryDirectory(prefix="powerlist-upload-") as folder:
        path = Path(folder) / RETURNED_NAME
        if not await _save(upload, path, limit):
            return 413, {"status": "refused", "problems": [f"文件过大：上限 {limit:,} 字节"]}
        answer = await run_in_threadpool(importer, engine, caller, path)
    given = (upload.filename or "")[:200]
    audit(engine, caller, action, "upload", answer[1].get("department"),
          {"file": given, "status": answer[1]["status"], "http": answer[0]})  # fmt: skip
    return answer


async def _save(upload: UploadFile, path: Path, limit: int) -> bool:
    written = 0
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            written += len(chunk)
            if written > limit:
                return False
            out.write(chunk)
    return True


NOT_YOURS = (
    "这不是发给本部门的审核工作簿，未导入：请在“我的报表”中下载本部门的审核工作簿，"
    "填写后上传；其他部门的工作簿由该部门上传"
)


def _import(engine: Engine, caller: Caller, path: Path) -> tuple[int, dict[str, Any]]:
    try:
        with session_scope(engine) as session:
            outcome = import_returned_workbook(session, path, caller)
            answer = outcome.as_dict()
            answer["decisions"] = decisions_from_file(session, sha256_of(path))
    except IntegrityError:
        # A parallel upload of the same file won the race (SQLite has no row lock to wait on):
        # its ImportRecord (imports.kind+sha256) is what this one collided with.
        answer = _already_imported(engine, path)
        if answer is None:
            raise
    except UnsafeFile as error:
        return 415, {"status": "refused", "problems": [str(error)]}
    except DecisionImportError as error:
        return 422, {"status": "refused", "problems": error.problems}
    except NotCallersWorkbook:
        return 404, {"status": "refused", "problems": [NOT_YOURS]}
    answer.pop("file", None)
    return 200, answer


def _already_imported(engine: Engine, path: Path) -> dict[str, Any] | None:
    """The answer for a file another request has just imported, or None if it has not."""
    digest = sha256_of(path)
    with session_scope(engine) as session:
        record = session.scalar(
            select(ImportRecord).where(
                ImportRecord.kind == DECISIONS_KIND, ImportRecord.sha256 == digest
            )
        )
        if record is None:
            return None
        return {
            "status": "already_imported", "run_id": None, "department": None, "recorded": 0,
            "unchanged": 0, "undecided": 0, "conflicts": [],
            "decisions": decisions_from_file(session, digest),
        }  # fmt: skip


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}


def _import_verdicts(engine: Engine, caller: Caller, path: Path) -> tuple[int, dict[str, Any]]:
    try:
        check_file_size(path)
        check_workbook_zip(path)
        with session_scope(engine) as session:
            answer = import_verdicts(session, path, actor=caller.actor).as_dict()
    except UnsafeFile as error:
        return 415, {"status": "refused", "problems": [str(error)]}
    except VerdictImportError as error:
        return 422, {"status": "refused", "problems": error.problems}
    answer.pop("file_name", None)
    return 200, answer


@router.post("/verdicts", openapi_extra={"requestBody": UPLOAD_BODY})
async def upload_verdicts(
    request: Request, caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> JSONResponse:
    """The reviewing office returns its 审核意见 workbook (administrators only)."""
    if not caller.is_admin:
        raise not_found()
    code, answer = await _receive(request, caller, engine, _import_verdicts, "upload_verdicts")
    return JSONResponse(answer, status_code=code)


@router.post("/review", openapi_extra={"requestBody": UPLOAD_BODY})
async def upload_review(
    request: Request, caller: Caller = Depends(current_caller), engine: Engine = Depends(get_engine)
) -> JSONResponse:
    """Return a filled review workbook (multipart field `file`): row errors, or what was applied."""
    code, answer = await receive_review_workbook(request, caller, engine)
    return JSONResponse(answer, status_code=code)
