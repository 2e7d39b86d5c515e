"""Build a report workbook in the one house style and write it atomically.

The workbook is written by XlsxWriter (measured faster than openpyxl on our own workbooks,
see docs/benchmarks.md); nothing outside `powerlist.excel` knows which library writes.
Sheets are streamed row by row (`constant_memory`), so a 100,000-row sheet costs little
memory; column widths are fitted from the header and the first rows.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

from powerlist.artifacts import write_atomic
from powerlist.excel import heights, styles
from powerlist.excel.cells import (
    FORMULA_TRIGGERS,
    ILLEGAL_CHARACTERS_RE,
    MAX_CELL_CHARS,
    clean_text,
    display_width,
    looks_like_formula,
    plain_value,
)
from powerlist.excel.fastcells import Formats
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
from powerlist.excel.streamrows import Ready, RowStreamer
from powerlist.settings import get_settings

NOTES_SHEET = "说明"
LISTS_SHEET = "_lists"
WIDTH_SAMPLE_ROWS = 500
INLINE_LIST_LIMIT = 250  # Excel refuses inline drop-down lists longer than 255 characters
RESERVED_TITLES = {NOTES_SHEET, LISTS_SHEET, METADATA_SHEET}
# XlsxWriter refuses (drops) a drop-down whose prompt title is longer than this.
PROMPT_TITLE_LIMIT = 32
# Up to this many rows a workbook is built in memory (no temp file per sheet and part, and
# shared strings make it smaller); a larger one, or one whose rows are a generator, streams
# each sheet row by row to a temp file (`constant_memory`), so memory stays flat.
IN_MEMORY_ROWS = 20_000
# XlsxWriter's options: strings are only ever written as text, never guessed at.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,  # a NaN shows as #NUM! rather than failing the whole workbook
}
PIXELS_PER_WIDTH_UNIT = 7  # Calibri 11's digit width: a width unit as the file stores it
POINTS_TO_PIXELS = 4 / 3
CM_TO_PIXELS = 96 / 2.54


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


# The dynamic-array functions XlsxWriter prefixes with "_xlfn." in every formula (its other
# prefixes are off: `use_future_functions` is not set); a formula without them needs nothing.
_DYNAMIC = re.compile(
    r"_xlfn\.|\b(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK"
    r"|LAMBDA|MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT"
    r"|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(|SINGLE\(|[{}]"
)


class _Worksheet(Worksheet):  # type: ignore[misc]
    """XlsxWriter's worksheet without its 29 regular expressions per formula when none of
    them can match (our formulas: IF, TODAY, … — plain functions), nor its 200 for the
    conditional formats' and validations' formulas without a function ("保留", $A$1:$A$9)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if "(" not in formula:  # every prefix XlsxWriter adds goes before a "(": strip only
            formula = formula.removeprefix("{").removeprefix("=")
            return formula[:-1] if formula.endswith("}") else formula
        if expand_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)  # type: ignore[no-any-return]
        return formula.removeprefix("=")

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        if type(cell) is Ready:  # a cell RowStreamer stored ready rendered
            index = cell.format._get_xf_index()
            self.fh.write(f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{index}"{cell.rest}')
            return
        super()._write_cell(row, col, cell)


class _Workbook(Workbook):  # type: ignore[misc]
    """XlsxWriter's workbook, able to lock its structure (no public API for it): with the
    structure locked no one unhides the identity sheet from the UI, and LibreOffice keeps
    the lock (and the hidden state) when it saves the file."""

    lock_structure = False
    worksheet_class = _Worksheet

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        if self.lock_structure:  # CT_Workbook: workbookProtection follows workbookPr
            self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


def _write_workbook(temp: Path, info: WorkbookInfo, sheets: Sequence[TableSheet]) -> dict[str, int]:
    wb = _Workbook(str(temp), _options(sheets))
    try:
        counts = _fill(wb, info, sheets)
        wb.close()
        return counts
    except BaseException:
        _discard(wb)
        raise


def _options(sheets: Sequence[TableSheet]) -> dict[str, bool]:
    """In memory for a small workbook whose rows are lists, streamed otherwise."""
    small = all(isinstance(sheet.rows, Sized) for sheet in sheets) and (
        sum(len(sheet.rows) for sheet in sheets) <= IN_MEMORY_ROWS  # type: ignore[arg-type]
    )
    return {**WORKBOOK_OPTIONS, "in_memory": small, "constant_memory": not small}


def _discard(wb: Any) -> None:
    """Close half-written streamed sheets and delete their temp files."""
    wb.fileclosed = True
    for ws in wb.worksheets():
        handle = getattr(ws, "row_data_fh", None)
        if handle is not None:
            with suppress(Exception):
                handle.close()
        name = getattr(ws, "row_data_filename", None)
        if name:
            with suppress(OSError):
                os.unlink(name)


def _fill(wb: Any, info: WorkbookInfo, sheets: Sequence[TableSheet]) -> dict[str, int]:
    wb.set_properties(
        {"author": "powerlist", "title": f"{info.job} {info.period} {info.department}"}
    )
    formats = Formats(wb)
    notes = wb.add_worksheet(NOTES_SHEET)
    named = (info.department, info.period, info.job)  # "—": a workbook of no department
    page = _PageInfo(
        title="　".join(part for part in named if part and part != "—"),
        returned=bool(info.metadata),
    )
    # 说明 comes first but lists how many rows each table has: its rows are kept until the
    # tables are written (streamed sheets are written in any order, each to its own file).
    long_lists = _long_choice_lists(sheets)
    if long_lists:
        _write_lists_sheet(wb.add_worksheet(LISTS_SHEET), long_lists, formats)
    tables = [(sheet, wb.add_worksheet(sheet.title)) for sheet in sheets]
    counts = {
        sheet.title: _write_table(ws, sheet, long_lists, formats, page) for sheet, ws in tables
    }
    _write_notes(notes, info, counts, page, formats)
    if info.metadata:
        add_metadata_sheet(wb, info.metadata)
        wb.lock_structure = True
    visible = [ws for sheet, ws in tables if not sheet.hidden]
    (visible[0] if visible else notes).activate()
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
    formats: Formats,
    page: _PageInfo,
) -> int:
    columns = list(sheet.columns)
    last_col = len(columns) - 1
    sample, rows = _peek(sheet.rows, WIDTH_SAMPLE_ROWS)
    widths = [_column_width(column, sample, index) for index, column in enumerate(columns)]
    _set_widths(ws, widths, formats)
    header_row = 1 if sheet.title_row else 0
    ws.freeze_panes(header_row + 1, 0)
    printed = sheet.printed_columns
    styles.apply_print_setup(
        ws,
        (0, header_row),
        widths=widths[:printed],
        title=page.title,
        sign_off=page.returned,
        key_columns=sheet.key_columns,
    )
    if sheet.title_row:
        _write_title(ws, f"{page.title}　{sheet.title}", printed - 1, widths[:printed], formats)
    header = [column.header for column in columns]
    _set_height(ws, header_row, heights.row_height(header, widths, styles.HEADER_FONT_POINTS))
    for col, text in enumerate(header):
        formats.text(ws, header_row, col, text, "header")
    writers = [_cell_writer(ws, formats, column) for column in columns]
    split = not (page.returned or sheet.one_row_per_record)
    short = [
        (heights.surely_fits_chars(w), heights.surely_fits_chars(w, one_paragraph=True))
        for w in widths
    ]
    count = 0
    sheet_row = header_row
    streamer = RowStreamer(ws, formats, columns, charted=sheet.chart is not None)
    direct = streamer.write if streamer.enabled else None
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(
                f"sheet {sheet.title!r} row {count + header_row + 2}: "
                f"{len(row)} values for {len(columns)} columns"
            )
        for part in _printed_rows(row, widths, short, split=split):
            sheet_row += 1
            points = heights.row_height(_texts(part), widths)
            pixels = None if points is None else _Pixels(points)
            if direct is not None and direct(sheet_row, part, pixels):
                continue  # a plain row, written as XML in one go
            _set_height(ws, sheet_row, points)
            for col, (write, value) in enumerate(zip(writers, part, strict=True)):
                if value is not None:
                    write(sheet_row, col, value)
        count += 1
    first_body, last_body = header_row + 1, max(sheet_row, header_row + 1)
    ws.autofilter(header_row, 0, sheet_row, last_col)
    if printed < len(columns):  # the machine's columns (IDs) stay off the page
        ws.print_area(0, 0, sheet_row, printed - 1)
    _add_rules(ws, columns, formats, long_lists, first_body, last_body)
    if sheet.chart is not None and count:
        _add_bar_chart(formats.workbook, ws, sheet.chart, count, header_row, sheet_row)
    if sheet.hidden:
        ws.hide()
    return count


def _add_rules(
    ws: Any,
    columns: Sequence[Column],
    formats: Formats,
    long_lists: dict[tuple[str, ...], str],
    first_body: int,
    last_body: int,
) -> None:
    """Drop-downs and status colours (conditional formats) over each column's body rows."""
    for col, column in enumerate(columns):
        if column.choices:
            ws.data_validation(first_body, col, last_body, col, _drop_down(column, long_lists))
        for value, color in column.colors.items():
            ws.conditional_format(
                first_body,
                col,
                last_body,
                col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": '"' + value.replace('"', '""') + '"',
                    "format": formats.fill(color),
                },
            )


def _write_title(
    ws: Any, title: str, last_col: int, widths: Sequence[float], formats: Formats
) -> None:
    """The title row above the header: department, period and sheet, merged across."""
    points = heights.row_height([title], [sum(widths)], styles.TITLE_FONT_POINTS)
    default = heights.row_points(1, styles.TITLE_FONT_POINTS)
    _set_height(ws, 0, max(points or default, default))
    text = clean_text(title)
    fmt = formats.get("title", quote=looks_like_formula(text))
    if last_col:
        ws.merge_range(0, 0, 0, last_col, "", fmt)
    ws.write_string(0, 0, text, fmt)


def _texts(row: Sequence[Any]) -> list[str | None]:
    """The text a row's cells show, as far as it can wrap (numbers and dates never do)."""
    texts: list[str | None] = []
    for value in row:
        if isinstance(value, Flagged):
            value = value.value
        texts.append(value if type(value) is str else None)
    return texts


def _printed_rows(
    row: Sequence[Any],
    widths: Sequence[float],
    short: Sequence[tuple[int, int]],
    *,
    split: bool,
) -> list[Sequence[Any]]:
    """The row as printed: itself, or under the "(续)" rule when a cell is taller than the
    tallest row, several rows whose long cells go on from one to the next. `short`: per
    column, the longest text, and the longest without a line break, that surely fit
    (`heights.surely_fits_chars`)."""
    if not split or all(
        type(value) is not str or len(value) <= most or (len(value) <= flat and "\n" not in value)
        for value, (most, flat) in zip(row, short, strict=True)
    ):
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


def _set_widths(ws: Any, widths: Sequence[float], formats: Formats) -> None:
    """Set each column's width and give it the body format (wrapped, top, bordered), so a
    cell left empty looks, and prints, like the others."""
    body = formats.get()
    for col, width in enumerate(widths):
        ws.set_column_pixels(col, col, round(width * PIXELS_PER_WIDTH_UNIT), body)


def _set_height(ws: Any, row: int, points: float | None) -> None:
    """Store a row's height (before the row's cells: streamed rows are written in order)."""
    if points is not None:
        ws.set_row_pixels(row, _Pixels(points))


class _Pixels(float):
    """A row height in pixels that gives back its exact points when XlsxWriter multiplies it
    by 0.75 to store it (its `set_row` rounds to whole pixels, i.e. to 0.75 pt)."""

    points: float

    def __new__(cls, points: float) -> _Pixels:
        pixels = super().__new__(cls, points * POINTS_TO_PIXELS)
        pixels.points = points
        return pixels

    def __mul__(self, other: float) -> float:  # type: ignore[override]
        return self.points if other == 0.75 else float(self) * other


def _add_bar_chart(
    wb: Any, ws: Any, spec: BarChartSpec, count: int, header_row: int, below: int
) -> None:
    rows = count if spec.rows is None else min(spec.rows, count)
    if rows <= 0:
        return
    first, last = header_row + 1, header_row + rows
    chart = wb.add_chart({"type": "bar", **({"subtype": "stacked"} if spec.stacked else {})})
    for col in range(spec.first - 1, spec.last):
        chart.add_series(
            {
                "name": [ws.name, header_row, col],
                "categories": [ws.name, first, 0, last, 0],
                "values": [ws.name, first, col, last, col],
                **({"overlap": 100} if spec.stacked else {}),
            }
        )
    chart.set_title({"name": spec.title})
    if spec.first == spec.last:
        chart.set_legend({"none": True})
    chart.set_y_axis({"interval_unit": 1})  # a label for every category, not every other one
    chart.set_size(
        {
            "width": spec.width * CM_TO_PIXELS,
            "height": max(8.0, spec.height_per_row * rows) * CM_TO_PIXELS,
        }
    )
    # Below the table, not right of it: a wide table pushed the chart off the printed page.
    ws.insert_chart(below + 2, 0, chart)


def _cell_writer(ws: Any, formats: Formats, column: Column) -> Callable[[int, int, Any], None]:
    """The function that writes one value of `column` (never None) into a cell."""
    body = formats.get()
    write_string = ws.write_string
    write_number = ws.write_number
    illegal = ILLEGAL_CHARACTERS_RE.search
    kind = column.kind
    whole = kind == "int"  # its whole numbers are written with the body format itself

    def write(row: int, col: int, value: Any) -> None:
        if type(value) is str:  # the common case first: most cells are text
            if value:  # an empty text is an empty cell, as a reader expects (None)
                # `clean_text` and `looks_like_formula`, inlined for the common clean text
                clean = len(value) <= MAX_CELL_CHARS and not illegal(value)
                text = value if clean else clean_text(value)
                fmt = formats.get(quote=True) if text.startswith(FORMULA_TRIGGERS) else body
                write_string(row, col, text, fmt)
            return
        if whole and type(value) is int:  # counts and IDs: what `_write_value` does for them
            write_number(row, col, value, body)
            return
        _write_value(ws, formats, kind, row, col, value)

    return write


def _write_value(
    ws: Any, formats: Formats, kind: str, row: int, col: int, value: Any, flagged: bool = False
) -> None:
    """Everything but plain text: flagged cells (fill and comment), formulas, numbers, dates."""
    if isinstance(value, Flagged):
        _write_value(ws, formats, kind, row, col, value.value, True)
        ws.write_comment(row, col, value.note, {"author": "powerlist", "width": 300, "height": 120})
        return
    if isinstance(value, Formula):  # no cached value: the spreadsheet computes it on opening
        ws.write_formula(row, col, value.text, formats.get(flagged=flagged), "")
        return
    value = plain_value(value)
    if value is None or value == "":
        if flagged:
            ws.write_blank(row, col, None, formats.get(flagged=True))
    elif isinstance(value, str) or kind == "text":
        if not isinstance(value, str):
            value = value.isoformat() if isinstance(value, date) else str(value)
        ws.write_string(
            row, col, value, formats.get(quote=looks_like_formula(value), flagged=flagged)
        )
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, formats.get(flagged=flagged))
    elif isinstance(value, date):  # a date in a number column is still a date
        shown = styles.NUMBER_FORMATS["date" if kind not in ("date", "datetime") else kind]
        ws.write_datetime(row, col, value, formats.get(number_format=shown, flagged=flagged))
    else:  # whole numbers need no "0" format: General shows them the same
        shown = None if kind == "int" else styles.NUMBER_FORMATS[kind]
        ws.write_number(row, col, value, formats.get(number_format=shown, flagged=flagged))


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


def _drop_down(column: Column, long_lists: dict[tuple[str, ...], str]) -> dict[str, Any]:
    key = tuple(column.choices)
    formula = long_lists.get(key) or '"' + ",".join(key) + '"'
    return {
        "validate": "list",
        "source": "=" + formula,
        "ignore_blank": True,
        "show_error": True,
        "error_type": "stop",
        "error_title": "输入有误",
        "error_message": f"“{column.header}”请从下拉列表中选择"[:255],
        "input_title": column.header[:PROMPT_TITLE_LIMIT],
        "input_message": "请从下拉列表中选择",
        "show_input": True,
    }


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
                letter = xl_col_to_name(len(found))
                found[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(key)}"
    return found


def _write_lists_sheet(ws: Any, lists: dict[tuple[str, ...], str], formats: Formats) -> None:
    for row, values in enumerate(itertools.zip_longest(*lists.keys())):
        for col, value in enumerate(values):
            if value is not None:
                formats.text(ws, row, col, clean_text(value))
    ws.hide()


def _write_notes(
    ws: Any, info: WorkbookInfo, counts: dict[str, int], page: _PageInfo, formats: Formats
) -> None:
    widths = (16.0, 80.0)
    _set_widths(ws, widths, formats)
    ws.freeze_panes(1, 0)
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
    formats.text(ws, 0, 0, "项目", "header")
    formats.text(ws, 0, 1, "内容", "header")
    for row, (label, value) in enumerate(lines, start=1):
        _set_height(ws, row, heights.row_height((label, str(value)), widths))
        if label:
            formats.text(ws, row, 0, clean_text(label), "label")
        if isinstance(value, int):
            ws.write_number(row, 1, value, formats.get())
        elif value != "":
            formats.text(ws, row, 1, clean_text(str(value)))


def _peek(
    rows: Iterable[Sequence[Any]], size: int
) -> tuple[list[Sequence[Any]], Iterator[Sequence[Any]]]:
    iterator = iter(rows)
    sample = list(itertools.islice(iterator, size))
    return sample, itertools.chain(sample, iterator)
