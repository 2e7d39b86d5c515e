"""The portal's report list (报表列表): filters by job, period, department and kind, one page at a
time, so the administrator's 1,391 workbooks of a demo year are not one 490 KB page."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from powerlist.api.report_access import ReportView
from powerlist.models import Department, Report, Run
from powerlist.tokens import Caller

PER_PAGE = 50


@dataclass(frozen=True)
class ReportFilter:
    """What the list is narrowed to; None (or "") means any."""

    job: str | None = None
    period: str | None = None
    department: str | None = None  # a department code
    kind: str | None = None

    def query_string(self, page: int) -> str:
        """The URL query for this filter on `page` (for pagination links)."""
        from urllib.parse import urlencode

        values = {k: v for k, v in vars(self).items() if v}
        return urlencode({**values, "page": page})


@dataclass(frozen=True)
class ReportPage:
    """One page of the caller's reports, the filter's choices, and where the page is."""

    views: list[ReportView]
    total: int
    page: int
    pages: int
    choices: dict[str, list[str]] = field(default_factory=dict)


def _visible(query: Select, caller: Caller) -> Select:  # type: ignore[type-arg]
    return query if caller.is_admin else query.where(Report.department_id == caller.department_id)


def report_page(
    session: Session, caller: Caller, wanted: ReportFilter, page: int = 1, per_page: int = PER_PAGE
) -> ReportPage:
    """The caller's reports matching `wanted`, newest period first, page `page` (from 1)."""
    base = (
        select(Report, Run.job, Run.period, Department.code, Department.name)
        .join(Run, Run.id == Report.run_id)
        .outerjoin(Department, Department.id == Report.department_id)
    )
    query = _visible(base, caller)
    if wanted.job:
        query = query.where(Run.job == wanted.job)
    if wanted.period:
        query = query.where(Run.period == wanted.period)
    if wanted.department:
        query = query.where(Department.code == wanted.department)
    if wanted.kind:
        query = query.where(Report.kind == wanted.kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        query.order_by(Run.period.desc(), Run.job, Report.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    views = [
        ReportView(r.id, r.run_id, job, period, r.kind, code, name, r.file_name, r.bytes,
                   r.rows, r.created_at)
        for r, job, period, code, name in rows
    ]  # fmt: skip
    return ReportPage(views, total, page, pages, _choices(session, caller))


def _choices(session: Session, caller: Caller) -> dict[str, list[str]]:
    """The jobs, periods, kinds and department codes present in the caller's reports."""
    from_reports = (
        select(Report.id)
        .join(Run, Run.id == Report.run_id)
        .outerjoin(Department, Department.id == Report.department_id)
    )

    def distinct(column: object) -> list[str]:
        query = _visible(from_reports.with_only_columns(column).distinct(), caller)  # type: ignore[arg-type]
        return sorted(v for v in session.scalars(query) if v)

    return {
        "job": distinct(Run.job),
        "period": distinct(Run.period)[::-1],
        "kind": distinct(Report.kind),
        "department": distinct(Department.code),
    }
