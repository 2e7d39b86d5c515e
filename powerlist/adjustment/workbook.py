"""The 个别调整 workbook: the yearly review's department workbook, narrowed to the items a law
change touches, with a 法规变动 sheet saying what changed (old → new, successor, cited articles).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from powerlist.adjustment.changes import StoredChange
from powerlist.excel import Column, TableSheet
from powerlist.review.facts import ItemFacts
from powerlist.review.workbooks import safe_file_name

JOB_TITLE = "个别调整审核"
CHANGE_SHEET = "法规变动"
HOW_TO_FILL = (
    "本工作簿只列出因上述法规变动需要重新审核的事项；填写与回传方法与年度审核相同，"
    "回传后按同一流程审核生效。"
)

CHANGE_COLUMNS = (
    Column("法律法规", 36, wrap=True), Column("效力层级", 12), Column("变动项目", 10),
    Column("原值", 14), Column("新值", 14), Column("现时效性", 10),
    Column("替代法规", 30, wrap=True), Column("项目编码", 18), Column("项目名称", 36, wrap=True),
    Column("子项", 20, wrap=True), Column("引用条款", 16, wrap=True),
)  # fmt: skip


def file_name(day: date, label: str) -> str:
    """E.g. 个别调整审核-2026-12-04-市生态环境局.xlsx."""
    return safe_file_name(f"{JOB_TITLE}-{day.isoformat()}-{label}") + ".xlsx"


def change_rows(
    items: Sequence[ItemFacts], changes: Sequence[StoredChange]
) -> list[tuple[object, ...]]:
    """One row per (change, item citing the changed law): what changed and what the item cites."""
    rows: list[tuple[object, ...]] = []
    for change in changes:
        for item in items:
            cited = [b for b in item.bases if b.basis_id == change.law_id]
            if not cited:
                continue
            articles = "；".join(b.articles for b in cited if b.articles) or None
            rows.append((
                change.title, change.level, change.label, change.old, change.new, change.status,
                change.successor, item.code, item.name, item.sub_item, articles,
            ))  # fmt: skip
    return rows


def change_sheet(items: Sequence[ItemFacts], changes: Sequence[StoredChange]) -> TableSheet:
    """The 法规变动 sheet of one department's workbook."""
    return TableSheet(CHANGE_SHEET, CHANGE_COLUMNS, change_rows(items, changes))


def change_notes(changes: Sequence[StoredChange], day: date) -> list[str]:
    """说明 lines: why this workbook exists (each law and what changed)."""
    lines = [f"{day.isoformat()} 法律依据库变动（立改废释）后的个别调整审核："]
    for change in changes:
        lines.append(
            f"{change.title}：{change.label} {change.old or '（空）'} → {change.new or '（空）'}"
        )
    return [*lines, HOW_TO_FILL]
