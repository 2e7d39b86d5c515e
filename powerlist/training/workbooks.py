"""Writing the training workbooks (roster per unit, city summary) to disk, atomically.

Interim renderer in plain openpyxl until the shared report style (`powerlist.excel`) lands;
the tables themselves come from `reports`, so switching renderers touches only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from powerlist.artifacts import Artifact, write_atomic
from powerlist.training.reports import Table

NOTES_SHEET = "说明"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "percent": "0.0%", "float": "0.0", "int": "0"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_tables(
    target: Path, info: dict[str, object], tables: Sequence[Table]
) -> tuple[Artifact, int]:
    """Write a 说明 sheet from `info` and one sheet per table; the artifact and data rows."""
    rows = sum(len(table.rows) for table in tables)

    def write(temp: Path) -> None:
        wb = Workbook()
        notes = wb.active
        notes.title = NOTES_SHEET
        facts = [*info.items(), ("生成时间", datetime.now().astimezone().replace(tzinfo=None))]
        facts += [(f"{table.title} 行数", len(table.rows)) for table in tables]
        for number, (key, value) in enumerate(facts, 1):
            _put(notes, number, 1, key)
            _put(notes, number, 2, value)
        notes.column_dimensions["A"].width = 24
        notes.column_dimensions["B"].width = 60
        for table in tables:
            _write_table(wb.create_sheet(table.title), table)
        wb.active = 1 if tables else 0
        wb.save(temp)

    return write_atomic(target, write), rows


def _write_table(ws: Any, table: Table) -> None:
    ws.append([col.header for col in table.columns])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for number, row in enumerate(table.rows, 2):
        for column, value in enumerate(row, 1):
            _put(ws, number, column, value)
    last = len(table.rows) + 1
    for index, col in enumerate(table.columns, 1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = _width(col.header, table.rows, index - 1)
        fmt = NUMBER_FORMATS.get(col.kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last, min_col=index, max_col=index):
                cell.number_format = fmt
        for value, color in col.colors.items():
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{max(last, 2)}",
                CellIsRule(operator="equal", formula=[f'"{value}"'], fill=_fill(color)),
            )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    for cell in ws[1]:
        cell.alignment = Alignment(vertical="center")


def _fill(color: str) -> PatternFill:
    return PatternFill("solid", start_color=color, end_color=color, bgColor=color)


def _put(ws: Any, row: int, column: int, value: object) -> None:
    """Write a value; text from data that looks like a formula stays text (quote prefix)."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return
    cell.value = value if not isinstance(value, str) else value.replace("\x00", "")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _width(header: str, rows: Sequence[tuple[Any, ...]], index: int) -> float:
    sample = [header, *(str(row[index]) for row in rows[:200] if row[index] is not None)]
    widest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) for text in sample)
    return min(max(widest + 2, 8), 60)
