"""Build a report workbook in the one house style and write it atomically.

Every sheet is streamed (openpyxl write-only mode), so a 100,000-row sheet costs little
memory; column widths are fitted from the header and the first rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import suppress
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from powerlist.artifacts import write_atomic
from powerlist.excel import heights, styles
from powerlist.excel.cells import clean_text, display_width, looks_like_formula, plain_value
from powerlist.excel.fastcells import CellStyles, wrap_by_default
from powerlist.excel.layout import (
    BarChartSpec,
    Column,
    Flagged,
    Formula,
    TableSheet,
    WorkbookInfo,
    WrittenWorkbook,
)
from powerlist.excel.metadata import METADATA_SHEET, add_metadata_sheet
from powerlist.settings import get_settings

NOTES_SHEET = "说明"
LISTS_SHEET = "_lists"
WIDTH_SAMPLE_ROWS = 500
INLINE_LIST_LIMIT = 250  # Excel refuses inline drop-down lists longer than 255 characters
RESERVED_TITLES = {NOTES_SHEET, LISTS_SHEET, METADATA_SHEET}


def build_workbook(
    target: Path, info: WorkbookInfo, sheets: Sequence[TableSheet]
) -> WrittenWorkbook:
    """Write the 说明 sheet and each table sheet to `target` atomically; return checksum, rows."""
    titles = [sheet.title for sheet in sheets]
    if len(set(titles)) != len(titles) or RESERVED_TITLES & set(titles):
        raise ValueError(f"sheet titles must be unique and not one of {sorted(RESERVED_TITLES)}")
    counts: dict[str, int] = {}

    def write(temp: Path) -> None:
        counts.update(_write_workbook(temp, info, sheets))

    artifact = write_atomic(target, write)
    return WrittenWorkbook(artifact.path, artifact.sha256, artifact.bytes, counts)


def safe_text_cell(ws: Any, text: str, *, wrap: bool = False) -> Any:
    """A cell that holds `text` as text even when it starts with = + - @ or a tab."""
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    if wrap:
        cell.alignment = styles.WRAP_ALIGNMENT
    return cell


def _write_workbook(temp: Path, info: WorkbookInfo, sheets: Sequence[TableSheet]) -> dict[str, int]:
    wb = Workbook(write_only=True)
    wrap_by_default(wb)
    try:
        return _fill_and_save(wb, temp, info, sheets)
    except BaseException:
        _discard(wb)
        raise


def _discard(wb: Any) -> None:
    """Close half-written streamed sheets and delete openpyxl's per-sheet temp files."""
    for ws in wb._sheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        for close in (getattr(ws, "_rows", None), writer.xf):
            if close is not None:
                with suppress(Exception):
                    close.close()
        with suppress(Exception):
            writer.cleanup()


def _fill_and_save(
    wb: Any, temp: Path, info: WorkbookInfo, sheets: Sequence[TableSheet]
) -> dict[str, int]:
    wb.properties.creator = "powerlist"
    wb.properties.title = f"{info.job} {info.period} {info.department}"
    notes = wb.create_sheet(NOTES_SHEET)
    long_lists = _long_choice_lists(sheets)
    if long_lists:
        _write_lists_sheet(wb, long_lists)
    page = _PageInfo(
        title=f"{info.department}　{info.period}　{info.job}", returned=bool(info.metadata)
    )
    counts = {
        sheet.title: _write_table(wb.create_sheet(sheet.title), sheet, long_lists, page)
        for sheet in sheets
    }
    _write_notes(notes, info, counts, page)
    if info.metadata:
        add_metadata_sheet(wb, info.metadata)
        # The identity sheet stays hidden: with the structure locked no one unhides it from
        # the UI, and LibreOffice keeps the lock (and the hidden state) when it saves the file.
        wb.security = WorkbookProtection(lockStructure=True)
    first_visible = next((i for i, s in enumerate(sheets) if not s.hidden), None)
    wb.active = 0 if first_visible is None else 1 + (1 if long_lists else 0) + first_visible
    wb.save(temp)
    return counts


@dataclass(frozen=True)
class _PageInfo:
    """What every printed page of a workbook's sheets names, and whether it is a returned form
    (one with identity metadata, uploaded back: it gets the sign-off block and no "(续)" rows,
    which its importer would read as items)."""

    title: str
    returned: bool


def _write_table(
    ws: Any,
    sheet: TableSheet,
    long_lists: dict[tuple[str, ...], str],
    page: _PageInfo | None = None,
) -> int:
    columns = list(sheet.columns)
    sample, rows = _peek(sheet.rows, WIDTH_SAMPLE_ROWS)
    widths = [_column_width(column, sample, index) for index, column in enumerate(columns)]
    for index, width in enumerate(widths):
        _set_width(ws, index + 1, width)
    ws.freeze_panes = "A2"
    if isinstance(sheet.rows, Sized):  # a <dimension> spares readers a full pre-scan of the sheet
        last_cell = f"{get_column_letter(len(columns))}{len(sheet.rows) + 1}"
        ws.calculate_dimension = lambda: f"A1:{last_cell}"
    returned = page is not None and page.returned
    styles.apply_print_setup(  # before the first row: sheet properties are streamed first
        ws, widths=widths, title=page.title if page else "", sign_off=returned
    )
    cells = CellStyles(ws)
    header = [column.header for column in columns]
    _set_height(ws, 1, heights.row_height(header, widths, styles.HEADER_FONT.sz))
    ws.append([cells.header(text) for text in header])
    writers = [_cell_writer(cells, column) for column in columns]
    count = 0
    sheet_row = 1
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(
                f"sheet {sheet.title!r} row {count + 2}: "
                f"{len(row)} values for {len(columns)} columns"
            )
        for part in _printed_rows(row, widths, split=not (returned or sheet.one_row_per_record)):
            sheet_row += 1
            _set_height(ws, sheet_row, heights.row_height(_texts(part), widths))
            ws.append([write(value) for write, value in zip(writers, part, strict=True)])
            ws.row_dimensions.pop(sheet_row, None)
        count += 1
    last_row = max(sheet_row, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{sheet_row}"
    for index, column in enumerate(columns):
        cells = f"{get_column_letter(index + 1)}2:{get_column_letter(index + 1)}{last_row}"
        if column.choices:
            ws.data_validations.append(_drop_down(column, cells, long_lists))
        for value, color in column.colors.items():
            fill = PatternFill(fill_type="solid", start_color=color, end_color=color, bgColor=color)
            quoted = '"' + value.replace('"', '""') + '"'
            ws.conditional_formatting.add(
                cells, CellIsRule(operator="equal", formula=[quoted], fill=fill)
            )
    if sheet.chart is not None and count:
        _add_bar_chart(ws, sheet.chart, count, sheet_row)
    if sheet.hidden:
        ws.sheet_state = "hidden"
    return count


def _texts(row: Sequence[Any]) -> list[str | None]:
    """The text a row's cells show, as far as it can wrap (numbers and dates never do)."""
    shown = [value.value if isinstance(value, Flagged) else value for value in row]
    return [value if type(value) is str else None for value in shown]


def _printed_rows(
    row: Sequence[Any], widths: Sequence[float], *, split: bool
) -> list[Sequence[Any]]:
    """The row as printed: itself, or under the "(续)" rule when a cell is taller than the
    tallest row, several rows whose long cells go on from one to the next."""
    if not split:
        return [row]
    parts = [
        heights.split_for_rows(value, width) if type(value) is str else [value]
        for value, width in zip(row, widths, strict=True)
    ]
    depth = max(len(part) for part in parts)
    if depth == 1:
        return [row]
    return [
        [part[level] if level < len(part) else None for part in parts] for level in range(depth)
    ]


def _set_width(ws: Any, column: int, width: float) -> None:
    """Set a column's width and give it the default cell format (wrapped, top, bordered):
    LibreOffice shows a cell written without a format in its column's format, and a column
    left with openpyxl's own blank format printed every body cell unwrapped on one line."""
    dimension = ws.column_dimensions[get_column_letter(column)]
    dimension.width = width
    dimension._style = copy(ws.parent._cell_styles[0])


def _set_height(ws: Any, row: int, points: float | None) -> None:
    """Store a row's height just before the row is streamed (write-only sheets read it then)."""
    if points is not None:
        ws.row_dimensions[row] = {"ht": str(points), "customHeight": "1"}


def _add_bar_chart(ws: Any, spec: BarChartSpec, count: int, below: int) -> None:
    rows = count if spec.rows is None else min(spec.rows, count)
    if rows <= 0:
        return
    chart = BarChart()
    chart.type = "bar"
    if spec.stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    chart.title = spec.title
    chart.height = max(8.0, spec.height_per_row * rows)
    chart.width = spec.width
    data = Reference(ws, min_col=spec.first, max_col=spec.last, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    if spec.first == spec.last:
        chart.legend = None
    chart.x_axis.delete = chart.y_axis.delete = False  # LibreOffice hides unset axes
    chart.x_axis.tickLblSkip = 1  # a label for every category, not every other one
    # Below the table, not right of it: a wide table pushed the chart off the printed page.
    ws.add_chart(chart, f"A{below + 2}")


def _cell_writer(cells: CellStyles, column: Column) -> Callable[[Any], Any]:
    # Whole numbers need no "0" format (General shows them the same): one style fewer per cell.
    number_format = None if column.kind == "int" else styles.NUMBER_FORMATS.get(column.kind)
    as_text = column.kind == "text"

    def write(value: Any) -> Any:
        if type(value) is str:  # the common case first: most cells are plain text
            return cells.text(clean_text(value))
        if isinstance(value, Flagged):
            return _flagged_cell(cells, write(value.value), value.note)
        if isinstance(value, Formula):
            return cells.formula(value.text)
        value = plain_value(value)
        if value is None:
            return None
        if isinstance(value, str):
            return cells.text(value)
        if as_text:
            return cells.text(value.isoformat() if isinstance(value, date) else str(value))
        if number_format is not None and not isinstance(value, bool):
            return cells.number(value, number_format)
        if isinstance(value, date):  # e.g. a date in a whole-number column: still a date
            return cells.number(value, styles.NUMBER_FORMATS["date"])
        return value

    return write


def _flagged_cell(cells: CellStyles, written: Any, note: str) -> Any:
    if isinstance(written, Cell):
        cell = written
    else:  # start from the body style (wrapped, top) so the flagged cell looks like the others
        cell = Cell(cells.sheet, row=1, column=1, style_array=cells.array())
        cell.value = written
    cell.fill = styles.FLAG_FILL
    cell.comment = Comment(note, "powerlist", width=300, height=120)
    return cell


def _column_width(column: Column, sample: list[Sequence[Any]], index: int) -> float:
    if column.width is not None:
        return column.width
    longest = display_width(column.header)
    for row in sample:
        if index < len(row) and row[index] is not None:
            longest = max(longest, _value_width(row[index], column))
    if column.choices:
        longest = max(longest, *(display_width(choice) + 2 for choice in column.choices))
    return styles.fit_width(longest, column.wrap)


def _value_width(value: Any, column: Column) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if column.kind == "percent" and isinstance(value, int | float):
        return 7
    return display_width(str(value))


def _drop_down(
    column: Column, cells: str, long_lists: dict[tuple[str, ...], str]
) -> DataValidation:
    key = tuple(column.choices)
    formula = long_lists.get(key) or '"' + ",".join(key) + '"'
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="输入有误",
        error=f"“{column.header}”请从下拉列表中选择",
        promptTitle=column.header,
        prompt="请从下拉列表中选择",
        showInputMessage=True,
    )
    validation.add(cells)
    return validation


def _long_choice_lists(sheets: Sequence[TableSheet]) -> dict[tuple[str, ...], str]:
    """Choice lists too long (or with commas) for an inline list, mapped to a range on _lists."""
    found: dict[tuple[str, ...], str] = {}
    for sheet in sheets:
        for column in sheet.columns:
            key = tuple(column.choices)
            inline = ",".join(key)
            if (
                key
                and key not in found
                and (
                    len(inline) > INLINE_LIST_LIMIT
                    or '"' in inline
                    or any("," in choice for choice in key)
                )
            ):
                letter = get_column_letter(len(found) + 1)
                found[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(key)}"
    return found


def _write_lists_sheet(wb: Any, lists: dict[tuple[str, ...], str]) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    for row in itertools.zip_longest(*lists.keys()):
        ws.append([None if value is None else safe_text_cell(ws, value) for value in row])
    ws.sheet_state = "hidden"


def _write_notes(ws: Any, info: WorkbookInfo, counts: dict[str, int], page: _PageInfo) -> None:
    widths = (16.0, 80.0)
    _set_width(ws, 1, widths[0])
    _set_width(ws, 2, widths[1])
    ws.freeze_panes = "A2"
    styles.apply_print_setup(ws, widths=widths, title=page.title)
    generated = info.generated_at or datetime.now(ZoneInfo(get_settings().timezone))
    lines: list[tuple[str, Any]] = [
        ("任务", info.job),
        ("期间", info.period),
        ("部门", info.department),
        ("生成时间", generated.strftime("%Y-%m-%d %H:%M:%S")),
        ("数据来源", "\n".join(info.sources) or "—"),
        *(("说明", note) for note in info.notes),
        ("", ""),
        ("工作表", "数据行数"),
        *((title, count) for title, count in counts.items()),
    ]
    cells = CellStyles(ws)
    ws.append([cells.header("项目"), cells.header("内容")])
    for number, (label, value) in enumerate(lines, start=2):
        _set_height(ws, number, heights.row_height((label, str(value)), widths))
        content = value if isinstance(value, int) else safe_text_cell(ws, str(value), wrap=True)
        ws.append([cells.label(label), content])
        ws.row_dimensions.pop(number, None)


def _peek(
    rows: Iterable[Sequence[Any]], size: int
) -> tuple[list[Sequence[Any]], Iterator[Sequence[Any]]]:
    iterator = iter(rows)
    sample = list(itertools.islice(iterator, size))
    return sample, itertools.chain(sample, iterator)
