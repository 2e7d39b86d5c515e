"""Writing the training workbooks (roster per unit, city summary) in the house report style."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from powerlist.excel import TableSheet, WorkbookInfo, WrittenWorkbook, build_workbook
from powerlist.training.config import Stages

SOURCES = ("承接单位人员库", "培训记录", "学法考法考试成绩", "提醒发送记录（发件箱）")


def write_tables(target: Path, info: WorkbookInfo, tables: Sequence[TableSheet]) -> WrittenWorkbook:
    """Write the 说明 sheet and the tables to `target` atomically."""
    return build_workbook(target, info, tables)


def roster_info(day: str, unit: str, stages: Stages) -> WorkbookInfo:
    """The 说明 facts of a unit's roster (花名册) workbook."""
    return WorkbookInfo(
        job="培训考试提醒 · 人员花名册",
        period=day,
        department=unit,
        sources=SOURCES,
        notes=(
            f"状态：完成 = 本周期已完成；即将到期 = {stages.due_soon_days} 天内到期；"
            f"已逾期 = 已过到期日；已上报 = 逾期 {stages.escalate_after_days} 天以上，"
            "已告知单位负责人和委托部门。",
            "本表含本单位人员的电子邮箱，仅供本单位核对联系方式，请勿外传。",
        ),
    )


def city_info(day: str, scope: str) -> WorkbookInfo:
    """The 说明 facts of the city summary workbook (contacts masked)."""
    return WorkbookInfo(
        job="培训考试提醒 · 全市汇总",
        period=day,
        department="全市" if scope == "all" else scope,
        sources=SOURCES,
        notes=(
            "完成率 = 状态为“完成”的要求项 / 应完成要求项；考试通过率含补考。",
            "手机号和电子邮箱已脱敏。",
            f"逾期上报：{day[:4]}年1月1日至{day}发出的逾期上报（往年的见往年的汇总）。",
        ),
    )
