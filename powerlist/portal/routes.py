"""Portal pages: sign in with a token, reports by year and job, upload of the filled review
workbook with its result table, and for administrators the run list and a trigger form."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from powerlist.api.deps import COOKIE_NAME, RowId, get_engine, not_found, optional_caller
from powerlist.api.reports import download_response
from powerlist.api.runs import RunRefused, TriggerRequest, trigger_run, visible
from powerlist.api.uploads import receive_review_workbook
from powerlist.db import session_scope
from powerlist.labels import (
    STATUS_ZH,
    error_lines,
    error_summary,
    job_title,
    job_titles,
    period_zh,
    report_kind_zh,
)
from powerlist.models import Department
from powerlist.portal.report_list import ReportFilter, report_page
from powerlist.review.proposals import proposal_states
from powerlist.runtime.views import list_runs
from powerlist.settings import get_settings
from powerlist.tokens import Caller, authenticate

router = APIRouter(prefix="/portal", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
templates.env.filters["local"] = lambda at: at.astimezone(
    ZoneInfo(get_settings().timezone)
).strftime("%Y-%m-%d %H:%M")
templates.env.filters["period_zh"] = period_zh
templates.env.filters["job_zh"] = job_title
templates.env.filters["kind_zh"] = report_kind_zh
templates.env.filters["error_summary"] = error_summary
templates.env.filters["error_lines"] = error_lines


def _page(request: Request, name: str, caller: Caller | None, **context: Any) -> Response:
    context.update(caller=caller, JOB_ZH=job_titles(), STATUS_ZH=STATUS_ZH)
    response = templates.TemplateResponse(request, name, context)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def _to_login() -> RedirectResponse:
    return RedirectResponse("/portal/login", status_code=303)


@router.get("/login")
def login_form(request: Request) -> Response:
    """The sign-in page: paste the token the administrator issued."""
    return _page(request, "login.html", None, error=None)


@router.post("/login")
def login(
    request: Request, token: str = Form(...), engine: Engine = Depends(get_engine)
) -> Response:
    """Check the token and keep it in an HttpOnly, SameSite=Strict cookie."""
    with session_scope(engine) as session:
        caller = authenticate(session, token.strip())
    if caller is None:
        return _page(request, "login.html", None, error="令牌无效、已过期或已吊销")
    response = RedirectResponse("/portal/", status_code=303)
    response.set_cookie(COOKIE_NAME, token.strip(), httponly=True, samesite="strict",
                        secure=get_settings().cookie_secure, max_age=12 * 3600)  # fmt: skip
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the token cookie."""
    response = _to_login()
    response.delete_cookie(COOKIE_NAME)
    return response


@router.get("/")
def home(
    request: Request,
    job: str = "",
    period: str = "",
    department: str = "",
    kind: str = "",
    page: int = Query(1, ge=1, le=100_000),
    caller: Caller | None = Depends(optional_caller),
    engine: Engine = Depends(get_engine),
) -> Response:
    """The caller's reports, filtered (job, period, department, kind) and paged, grouped by
    period and job, its 部门意见 with their state, download buttons and the upload form."""
    if caller is None:
        return _to_login()
    wanted = ReportFilter(job[:64] or None, period[:32] or None, department[:64] or None,
                          kind[:64] or None)  # fmt: skip
    with session_scope(engine) as session:
        listing = report_page(session, caller, wanted, page)
        names = _department_names(session, listing.choices["department"])
        department = None
        if not caller.is_admin:
            department = session.scalar(
                select(Department.id).where(Department.code == caller.department_code)
            )
        proposals = proposal_states(session, department) if department is not None else []
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for view in listing.views:
        groups[(view.period, view.job)].append(view)
    return _page(request, "home.html", caller, groups=groups, listing=listing, wanted=wanted,
                 department_names=names, proposals=proposals)  # fmt: skip


def _department_names(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = session.execute(
        select(Department.code, Department.name).where(Department.code.in_(codes))
    )
    return {code: name for code, name in rows}


@router.get("/reports/{report_id}/download")
def download(
    report_id: RowId,
    caller: Caller | None = Depends(optional_caller),
    engine: Engine = Depends(get_engine),
) -> FileResponse:
    """Download through the portal session (same checks as the API)."""
    if caller is None:
        raise not_found()
    return download_response(engine, caller, report_id)


@router.post("/upload")
async def upload(
    request: Request,
    caller: Caller | None = Depends(optional_caller),
    engine: Engine = Depends(get_engine),
) -> Response:
    """Import a returned review workbook and show row errors or the applied decisions."""
    if caller is None:
        return _to_login()
    code, answer = await receive_review_workbook(request, caller, engine)
    response = _page(request, "upload_result.html", caller, answer=answer, code=code)
    response.status_code = code
    return response


@router.get("/runs")
def runs(
    request: Request,
    caller: Caller | None = Depends(optional_caller),
    engine: Engine = Depends(get_engine),
) -> Response:
    """Administrators: the run list (refreshed live) and the trigger form."""
    if caller is None:
        return _to_login()
    if not caller.is_admin:
        raise not_found()
    with session_scope(engine) as session:
        views = [v for v in list_runs(session, limit=50) if visible(v, caller)]
        names = _department_names(session, [v.scope for v in views])
    return _page(request, "runs.html", caller, runs=views, message=None, department_names=names)


@router.post("/runs")
def trigger(
    request: Request,
    background: BackgroundTasks,
    job: str = Form(...),
    period: str = Form(...),
    department: str = Form(""),
    force: bool = Form(False),
    caller: Caller | None = Depends(optional_caller),
    engine: Engine = Depends(get_engine),
) -> Response:
    """Trigger a run from the form, then show the run list."""
    if caller is None:
        return _to_login()
    if not caller.is_admin:
        raise not_found()
    body = TriggerRequest(job=job, period=period, department=department.strip() or None,
                          force=force)  # fmt: skip
    try:
        view, created = trigger_run(engine, caller, body, background)
        message = f"运行 #{view.id} 已{'发起' if created else '存在'}（{STATUS_ZH[view.status]}）"
    except RunRefused as error:
        message = f"未发起：{error}"
    with session_scope(engine) as session:
        views = list_runs(session, limit=50)
        names = _department_names(session, [v.scope for v in views])
    return _page(request, "runs.html", caller, runs=views, message=message,
                 department_names=names)  # fmt: skip
