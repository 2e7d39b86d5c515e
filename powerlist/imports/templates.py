"""Blank import templates (导入模板), one per import kind, made from the kinds' own field lists.

Each template has a title row, the header (required columns marked ＊), a 填表说明 sheet saying
what each column means, its format and its allowed values, and drop-downs for closed
vocabularies. Because the columns come from the import's fields, a template cannot drift from
what the import reads: a filled template imports as it is.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from powerlist.imports.fields import Field
from powerlist.imports.kinds.registry import KINDS
from powerlist.imports.text import (
    code_text,
    parse_bool,
    parse_count,
    parse_date,
    parse_month,
    parse_number,
)
from powerlist.power_types import power_types
from powerlist.vocab import DepartmentLevel

DATA_ROWS = 500  # rows the drop-downs cover
OPTIONS_SHEET = "可选值"
GUIDE_SHEET = "填表说明"
REQUIRED_MARK = "＊"
# 单位类型 of receiving units as the system writes them (the legal review validates them)
UNIT_KINDS = ("旗县区部门", "苏木乡镇街道", "承接单位")
FORMATS: dict[Callable[[Any], Any], str] = {
    parse_date: "日期，如 2026-03-01 或 2026年3月1日",
    parse_month: "月份，如 2026-03",
    parse_count: "非负整数",
    parse_number: "数字",
    parse_bool: "是 / 否",
    code_text: "编码（按文本填写，保留前导 0）",
}
MEANINGS = {
    "单位名称": "部门或单位的全称，与三定方案一致",
    "部门编码": "部门的编码；不填时系统按名称生成并在导入结果中列出",
    "机构类别": "政府工作部门、直属机构、部门管理机构、派出机构、事业单位等",
    "层级": "市、旗县区或苏木乡镇街道",
    "所属地区": "部门所在的市或旗县区，如 包头市、固阳县；不填按名称推断",
    "撤并至": "机构改革中并入的部门名称或编码",
    "权力类型": "按权责清单的十类权力类型填写",
    "项目编码": "事项在本部门清单中的编码",
    "项目名称": "权力事项（主项）名称",
    "子项": "子项名称；没有子项的留空",
    "实施依据": "法律法规名称加书名号及条款，多部依据分行填写",
    "实施主体": "行使该权力的部门全称（须已在部门名录中，或导入时加 --create-departments）",
    "法规名称": "法律法规规章的名称",
    "效力级别": "法律、行政法规、地方性法规、规章、规范性文件等",
    "时效性": "现行有效、已修改、已废止或尚未生效",
    "委托部门": "下放或委托该事项的市级部门",
    "承接单位": "承接下放或委托事项的单位全称",
    "方式": "下放或委托",
    "工号": "人员在本系统中的唯一编号",
    "培训项目": "培训要求的编码或名称，如 TR-DELEG",
}


def closed_options(kind: str, field: Field) -> tuple[str, ...]:
    """The allowed values of a closed-vocabulary column (empty for free text)."""
    options = getattr(field.parse, "options", None)
    if options:
        return tuple(options)
    if field.label == "权力类型":
        return tuple(power_types().names)
    if field.label == "层级":
        return tuple(DepartmentLevel)
    if field.label == "单位类型":
        return UNIT_KINDS
    return ()


def field_format(field: Field) -> str:
    """How a cell of this column is written."""
    return FORMATS.get(field.parse, "文本")


def header_text(field: Field) -> str:
    """The header cell: the canonical name, marked ＊ when the column is required."""
    return f"{REQUIRED_MARK}{field.label}" if field.required else field.label


def write_template(kind: str, path: Path) -> Path:
    """Write the blank template of import `kind` to `path` (atomically)."""
    spec = KINDS[kind]
    fields = spec.fields
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    ws.append([f"{spec.title}（导入模板：带＊的列必填，填写说明见“{GUIDE_SHEET}”工作表）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(fields), 1))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([header_text(f) for f in fields])
    for index, field in enumerate(fields, start=1):
        cell = ws.cell(2, index)
        cell.font = Font(bold=True, color="C00000" if field.required else "000000")
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = max(12, 2 * len(field.label) + 6)
    ws.freeze_panes = "A3"
    options_ws = wb.create_sheet(OPTIONS_SHEET)
    options_ws.sheet_state = "hidden"
    guide = wb.create_sheet(GUIDE_SHEET)
    guide.append(["列名", "是否必填", "含义", "格式", "可选值", "也可写作"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    column = 0
    for index, field in enumerate(fields, start=1):
        options = closed_options(kind, field)
        guide.append(
            [
                field.label,
                "必填" if field.required else "选填",
                MEANINGS.get(field.label, field.label),
                field_format(field),
                "、".join(options),
                f"也可写作：{'、'.join(field.synonyms)}" if field.synonyms else "",
            ]
        )
        if options:
            column += 1
            letter = get_column_letter(column)
            for row, option in enumerate(options, start=1):
                options_ws.cell(row, column, option)
            source = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$1:${letter}${len(options)}"
            check = DataValidation(type="list", formula1=source, allow_blank=True)
            check.error = f"请从下拉列表中选择{field.label}"
            check.errorTitle = "填写有误"
            target = get_column_letter(index)
            check.add(f"{target}3:{target}{DATA_ROWS + 2}")
            ws.add_data_validation(check)
    for letter, width in zip("ABCDEF", (14, 10, 40, 28, 40, 40), strict=True):
        guide.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".xlsx")
    os.close(handle)
    try:
        wb.save(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def write_templates(folder: Path) -> list[Path]:
    """Every kind's template in `folder`, named 导入模板-<title>.xlsx."""
    return [
        write_template(kind, folder / f"导入模板-{spec.title}.xlsx") for kind, spec in KINDS.items()
    ]
