"""A minimal openpyxl table writer for the review workbooks.

Stand-in for the shared `powerlist.excel` style module (not on main when this was written):
Chinese headers, frozen header row, auto-filter, CJK-fitting widths, wrapped long text,
A4 landscape fit-to-width with repeated header rows, drop-downs, and user text that never
becomes a formula. The integrator switches callers to `powerlist.excel` and deletes this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from powerlist.artifacts import Artifact, write_atomic

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
WRAP = Alignment(wrap_text=True, vertical="top")
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    """A table column: Chinese header, width in characters, and how its cells behave."""

    header: str
    width: float | None = None
    wrap: bool = False
    choices: tuple[str, ...] = ()
    colors: dict[str, str] = field(default_factory=dict)
    hidden: bool = False


def display_width(text: str) -> int:
    """Width of text in Excel character units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def put(ws: Worksheet, row: int, column: int, value: object, *, wrap: bool = False) -> None:
    """Write one cell; text that looks like a formula stays text."""
    if value is None:
        return
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    if wrap:
        cell.alignment = WRAP
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def table_sheet(
    workbook: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> int:
    """Add a formatted table sheet; returns the number of body rows written."""
    ws = workbook.create_sheet(title)
    widths = [display_width(c.header) + 2 for c in columns]
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            put(ws, count + 1, index, value, wrap=column.wrap)
            if value is not None and column.width is None:
                widths[index - 1] = max(widths[index - 1], display_width(str(value)) + 2)
    last = max(count + 1, 2)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = ws.column_dimensions[letter]
        dimension.width = column.width or min(widths[index - 1], 60)
        dimension.hidden = column.hidden
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="无效的选项",
                error="请从下拉列表中选择：" + "、".join(column.choices),
            )
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
        for text, color in column.colors.items():
            ws.conditional_formatting.add(
                f"{letter}2:{letter}{last}",
                CellIsRule(operator="equal", formula=[f'"{text}"'],
                           fill=PatternFill("solid", fgColor=color)),
            )  # fmt: skip
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    _print_setup(ws)
    return count


def info_sheet(workbook: Workbook, title: str, lines: Sequence[tuple[str, object]]) -> None:
    """A 说明 sheet: a bold title, then one label/value pair per row."""
    ws = workbook.create_sheet("说明", 0)
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(lines, start=3):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        put(ws, row, 2, value, wrap=True)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 90
    _print_setup(ws, repeat_header=False)


def hidden_sheet(workbook: Workbook, title: str, values: dict[str, str], password: str) -> None:
    """A very hidden, protected key/value sheet (workbook identity for uploads)."""
    ws = workbook.create_sheet(title)
    for row, (key, value) in enumerate(values.items(), start=1):
        put(ws, row, 1, key)
        put(ws, row, 2, value)
    ws.sheet_state = "veryHidden"
    ws.protection.set_password(password)
    ws.protection.sheet = True


def new_workbook() -> Workbook:
    """An empty workbook (the default sheet removed)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def save(workbook: Workbook, target: Path) -> Artifact:
    """Save atomically (temp file beside the target, fsync, rename) and return its checksum."""
    return write_atomic(target, lambda temp: workbook.save(temp))


def _print_setup(ws: Worksheet, *, repeat_header: bool = True) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_header:
        ws.print_title_rows = "1:1"
