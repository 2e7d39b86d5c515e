"""Stand-in for the shared report style (`powerlist.excel`), same names, plain openpyxl.

The shared module was not on main when this job was written; the integrator switches the
imports in `powerlist.assessment.sheets` to `powerlist.excel` and deletes this module.
Only what the assessment needs: headers, frozen row, filter, widths, print setup, 说明 sheet,
status colours, formula-safe text, write-only mode, atomic save, and one bar chart.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from powerlist.artifacts import write_atomic

GOOD = "C6EFCE"
WARN = "FFEB9C"
BAD = "FFC7CE"
MUTED = "EDEDED"
NOTES_SHEET = "说明"
_FORMATS = {"int": "0", "float": "0.0", "percent": "0.0%", "date": "yyyy-mm-dd"}
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
_HEADER_FONT = Font(bold=True)
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True, vertical="top")  # style objects made once (hashing is costly)


@dataclass(frozen=True)
class Column:
    """One column: Chinese header, width (None: fitted), wrap, value kind, status colours."""

    header: str
    width: float | None = None
    wrap: bool = False
    kind: Literal["text", "int", "float", "percent", "date"] = "text"
    colors: Mapping[str, str] = field(default_factory=dict)


@dataclass
class TableSheet:
    """A sheet with one header row and data rows."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    hidden: bool = False


@dataclass(frozen=True)
class WorkbookInfo:
    """Facts for the 说明 sheet."""

    job: str
    period: str
    department: str = "全市"
    generated_at: datetime | None = None
    sources: Sequence[str] = ()
    notes: Sequence[str] = ()


@dataclass(frozen=True)
class WrittenWorkbook:
    """A workbook written in place: path, checksum, size, data rows per sheet."""

    path: Path
    sha256: str
    bytes: int
    rows: dict[str, int]

    @property
    def total_rows(self) -> int:
        """Data rows over all table sheets (what a Report row records)."""
        return sum(self.rows.values())


def build_workbook(
    target: Path, info: WorkbookInfo, sheets: Sequence[TableSheet]
) -> WrittenWorkbook:
    """Write the 说明 sheet and the table sheets to `target` atomically."""
    counts: dict[str, int] = {}

    def write(temp: Path) -> None:
        wb = Workbook(write_only=True)
        notes = wb.create_sheet(NOTES_SHEET)
        for sheet in sheets:
            counts[sheet.title] = _write_table(wb.create_sheet(sheet.title), sheet)
        _write_notes(notes, info, counts)
        wb.save(temp)

    artifact = write_atomic(target, write)
    return WrittenWorkbook(artifact.path, artifact.sha256, artifact.bytes, counts)


def add_bar_chart(
    written: WrittenWorkbook, sheet: str, title: str, series_columns: int, rows: int
) -> WrittenWorkbook:
    """Add a stacked bar chart of columns 2..1+series_columns by the first column of `sheet`."""

    def write(temp: Path) -> None:
        wb = load_workbook(written.path)
        ws = wb[sheet]
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = title
        chart.height = max(8.0, 0.5 * rows)
        chart.width = 24.0
        data = Reference(ws, min_col=2, max_col=1 + series_columns, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        ws.add_chart(chart, f"{get_column_letter(ws.max_column + 2)}2")
        wb.save(temp)

    artifact = write_atomic(written.path, write)
    return WrittenWorkbook(artifact.path, artifact.sha256, artifact.bytes, written.rows)


def _write_table(ws: Any, sheet: TableSheet) -> int:
    rows = [list(row) for row in sheet.rows]
    columns = list(sheet.columns)
    for index, column in enumerate(columns):
        ws.column_dimensions[get_column_letter(index + 1)].width = _width(column, rows, index)
    ws.freeze_panes = "A2"
    ws.append([_header(ws, column.header) for column in columns])
    for number, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise ValueError(f"sheet {sheet.title!r} row {number}: {len(row)} values")
        ws.append([_cell(ws, column, value) for column, value in zip(columns, row, strict=True)])
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    _print_setup(ws)
    for index, column in enumerate(columns):
        letter = get_column_letter(index + 1)
        cells = f"{letter}2:{letter}{max(len(rows) + 1, 2)}"
        for value, color in column.colors.items():
            fill = PatternFill("solid", start_color=color, end_color=color, bgColor=color)
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill)
            )
    if sheet.hidden:
        ws.sheet_state = "hidden"
    return len(rows)


def _cell(ws: Any, column: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # user text never becomes a formula
        if value[:1] in ("=", "+", "-", "@", "\t"):
            cell.quotePrefix = True
        if column.wrap:
            cell.alignment = _WRAP
        return cell
    fmt = _FORMATS.get(column.kind)
    if fmt and isinstance(value, int | float | date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell
    return value


def _header(ws: Any, text: str) -> Any:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = _HEADER_ALIGNMENT
    return cell


def _width(column: Column, rows: list[list[Any]], index: int) -> float:
    if column.width is not None:
        return column.width
    longest = _display_width(column.header)
    for row in rows[:500]:
        value = row[index] if index < len(row) else None
        if value is not None:
            longest = max(longest, 10 if isinstance(value, date) else _display_width(str(value)))
    limit = 50 if column.wrap else 40
    return min(limit, longest + 2)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print_setup(ws: Any) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _write_notes(ws: Any, info: WorkbookInfo, counts: dict[str, int]) -> None:
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 80
    generated = info.generated_at or datetime.now().astimezone()
    lines: list[tuple[str, Any]] = [
        ("任务", info.job),
        ("期间", info.period),
        ("部门", info.department),
        ("生成时间", generated.strftime("%Y-%m-%d %H:%M:%S")),
        ("数据来源", "\n".join(info.sources) or "—"),
        *(("说明", note) for note in info.notes),
        ("", ""),
        ("工作表", "数据行数"),
        *counts.items(),
    ]
    ws.append([_header(ws, "项目"), _header(ws, "内容")])
    wrap = Column(header="内容", wrap=True)
    for label, value in lines:
        ws.append([_cell(ws, Column(header="项目"), label), _cell(ws, wrap, value)])
    _print_setup(ws)
