"""The delegation assessment job (下放委托事项效能评估) as the runtime sees it: a `JobSpec`.

Units are delegating departments: each assesses its delegations, replaces its rows and
writes its workbook. Once every department has ended, a second stage writes the receiving
units' (承接单位) workbooks, 25 units per step (each holds the rows of every department that
delegated to it, so it cannot be written earlier); `finish` writes the city summary.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from powerlist.assessment import sheets
from powerlist.assessment.assess import assess_department
from powerlist.assessment.config import load_config
from powerlist.assessment.load import departments_with_delegations, load_department
from powerlist.assessment.store import ReportRow, period_rows, report_row, save_assessments
from powerlist.excel import WrittenWorkbook
from powerlist.jobs import JobSpec, RunContext, register
from powerlist.models import Delegation, Department, ReceivingUnit, Report
from powerlist.periods import Period, PeriodKind
from powerlist.regions import codes_in_region, department_region, scope_region
from powerlist.runtime.ranges import key_filter, range_keys
from powerlist.settings import get_settings

KIND_DEPARTMENT = "delegation_department"
KIND_UNIT = "delegation_unit"
KIND_CITY = "delegation_city"
UNITS_PER_STEP = 25


def assessment_as_of() -> date:
    """The reference date: months that ended before it are assessed (default: today)."""
    settings = get_settings()
    return settings.assessment_as_of or datetime.now(ZoneInfo(settings.timezone)).date()


def check_period(period: Period) -> None:
    """A year (2026) or a quarter (2026-Q3) that has begun, and a valid configuration.

    Checked before a run is created, so a bad assessment.toml is refused at the door
    (BadAssessmentConfig is a ValueError) instead of failing every unit.
    """
    if period.kind not in (PeriodKind.YEAR, PeriodKind.QUARTER):
        raise ValueError(f"效能评估的期间应为年度（2026）或季度（2026-Q3），不是 {period.label}")
    if period.start > assessment_as_of():
        raise ValueError(f"评估期 {period.label} 尚未开始")
    load_config()


def plan(session: Session, ctx: RunContext) -> list[str]:
    """Delegating departments to assess: all with delegations in force, or the one in scope."""
    if ctx.scope == "all":
        return departments_with_delegations(session, ctx.period)
    region = scope_region(ctx.scope)
    if region is not None:
        in_region = codes_in_region(session, region)
        return [c for c in departments_with_delegations(session, ctx.period) if c in in_region]
    found = session.scalars(select(Department.code).where(Department.code == ctx.scope)).first()
    if found is None:
        raise ValueError(f"没有编码为 {ctx.scope} 的部门")
    return [found]


def run_unit(session: Session, ctx: RunContext, code: str) -> None:
    """Assess one department's delegations, replace its rows, write its workbook and Report."""
    config = load_config()
    as_of = assessment_as_of()
    period = ctx.period
    facts = load_department(
        session, code, [period, period.previous()], as_of, config.targets.training_requirement
    )
    results = assess_department(facts, period, as_of, config)
    save_assessments(session, ctx.run_id, facts.department_id, period.label, results)
    name = _file_name(code, facts.department_name, period)
    target = ctx.reports_dir / "departments" / name
    written = sheets.department_workbook(
        target, period.label, facts.department_name, [report_row(r) for r in results], config
    )
    _record(session, ctx, KIND_DEPARTMENT, written, department_id=facts.department_id)


def plan_units(session: Session, ctx: RunContext) -> list[str]:
    """Second-stage keys: the receiving units in scope, in ranges of UNITS_PER_STEP codes."""
    codes = list(session.scalars(_units_in_scope(ctx).order_by(ReceivingUnit.code)))
    return range_keys(codes, UNITS_PER_STEP)


def run_unit_workbooks(session: Session, ctx: RunContext, key: str) -> None:
    """Write the workbook of each receiving unit of a key (the rows of every department that
    delegated to it); a unit left with no rows loses this run's old workbook record."""
    period = ctx.period
    config = load_config()
    in_key = _units_in_scope(ctx).where(key_filter(ReceivingUnit.code, key))
    unit_ids = session.scalars(in_key.with_only_columns(ReceivingUnit.id))
    by_unit: dict[int, list[ReportRow]] = {unit_id: [] for unit_id in unit_ids}
    for row in period_rows(session, period.label, set(by_unit)):
        by_unit[row.unit_id].append(row)
    session.execute(
        delete(Report).where(
            Report.run_id == ctx.run_id, Report.kind == KIND_UNIT, Report.unit_id.in_(by_unit)
        )
    )
    for unit_id, unit_rows in by_unit.items():
        if not unit_rows:
            continue
        first = unit_rows[0]
        target = ctx.reports_dir / "units" / _file_name(first.unit_code, first.unit_name, period)
        written = sheets.unit_workbook(target, period.label, first.unit_name, unit_rows, config)
        # the key's old records are gone (above): one insert per workbook, one flush per key
        _record(session, ctx, KIND_UNIT, written, unit_id=unit_id, replace=False)
    session.flush()


def finish(session: Session, ctx: RunContext) -> dict[str, Any]:
    """Write the city summary; return counts by outcome."""
    period = ctx.period
    config = load_config()
    rows = period_rows(session, period.label, indicators=sheets.CITY_INDICATORS)
    # a re-run may cover fewer units than an earlier generation: drop their old records
    session.execute(
        delete(Report).where(
            Report.run_id == ctx.run_id,
            Report.kind == KIND_UNIT,
            Report.unit_id.not_in(_units_in_scope(ctx).with_only_columns(ReceivingUnit.id)),
        )
    )
    unit_workbooks = session.scalar(
        select(func.count()).where(Report.run_id == ctx.run_id, Report.kind == KIND_UNIT)
    )
    target = ctx.reports_dir / _file_name("city", "全市", period)
    written = sheets.city_workbook(target, period.label, rows, config)
    _record(session, ctx, KIND_CITY, written)
    return _summary(rows, unit_workbooks or 0)


def _units_in_scope(ctx: RunContext) -> Select[tuple[str]]:
    """Codes of the receiving units with delegations (from the department in scope)."""
    delegated = select(Delegation.unit_id)
    region = scope_region(ctx.scope)
    if region is not None:
        delegated = delegated.join(
            Department, Department.id == Delegation.from_department_id
        ).where(department_region() == region)
    elif ctx.scope != "all":
        delegated = delegated.join(
            Department, Department.id == Delegation.from_department_id
        ).where(Department.code == ctx.scope)
    return select(ReceivingUnit.code).where(ReceivingUnit.id.in_(delegated))


def _summary(rows: list[ReportRow], units: int) -> dict[str, Any]:
    def count(values: list[str | None]) -> dict[str, int]:
        result: dict[str, int] = {}
        for value in values:
            key = value or sheets.NO_SCORE
            result[key] = result.get(key, 0) + 1
        return result

    return {
        "delegations": len(rows),
        "unit_workbooks": units,
        "grades": count([row.grade for row in rows]),
        "recommendations": count([row.recommendation for row in rows]),
        "zero_case": sum(1 for row in rows if row.get("zero_case")),
    }


def _file_name(code: str, name: str, period: Period) -> str:
    """e.g. d0101-市生态环境局-下放委托事项效能评估-2026-Q3.xlsx, safe on every file system."""
    raw = f"{code}-{name}-{sheets.JOB_TITLE}-{period.label}.xlsx"
    return re.sub(r'[\\/:*?"<>|\s]+', "_", raw)


def _record(
    session: Session,
    ctx: RunContext,
    kind: str,
    written: WrittenWorkbook,
    *,
    department_id: int | None = None,
    unit_id: int | None = None,
    replace: bool = True,
) -> None:
    """Replace this run's Report row for the same kind and owner (re-runs never duplicate);
    `replace=False` when the caller deleted it already (and flushes once after)."""
    if replace:
        session.execute(
            delete(Report)
            .where(Report.run_id == ctx.run_id, Report.kind == kind)
            .where(_same(Report.department_id, department_id), _same(Report.unit_id, unit_id))
        )
    session.add(
        Report(
            run_id=ctx.run_id,
            department_id=department_id,
            unit_id=unit_id,
            kind=kind,
            file_name=Path(written.path).name,
            path=str(written.path),
            sha256=written.sha256,
            bytes=written.bytes,
            # a delegation workbook has a row per delegation on each sheet: count them once
            rows=written.rows.get(sheets.RESULT_SHEET, written.total_rows),
        )
    )
    if replace:
        session.flush()


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value


DELEGATION_ASSESSMENT = register(
    JobSpec(
        name="delegation_assessment",
        title=sheets.JOB_TITLE,
        check_period=check_period,
        plan=plan,
        run_unit=run_unit,
        finish=finish,
        plan_then=plan_units,
        run_then=run_unit_workbooks,
    )
)
