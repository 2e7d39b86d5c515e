"""Read the table inside a spreadsheet or CSV file as published: find the header, skip the rest.

Handles title rows above the header, a two-level header (项目名称 over 主项名称/子项名称),
merged cells (the value fills the whole merged range, as the reader sees it), blank rows,
section rows (一、行政许可) and footer notes (注：…). Values are returned raw, not parsed.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import range_boundaries

from powerlist.excel.reading import UnsafeFile, check_file_size, open_workbook
from powerlist.imports.rows import FastSheets, sheet_rows
from powerlist.imports.text import clean, fold
from powerlist.settings import get_settings

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 20
# rows of sheet XML (blank ones too) read before a header must have been seen: a hostile sheet of
# 200,000 empty <row> elements is given up here, not at the row cap
HEADER_SCAN_MAX_ROWS = 1_000
NOTE_PREFIX = re.compile(r"^(注|备注|说明|附注|填表说明)\s*[:：\d一、.]")
SECTION_PREFIX = re.compile(r"^[一二三四五六七八九十]+[、.．]")
MERGE_REF = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
GUIDE_SHEETS = frozenset({"填表说明"})  # a template's instructions, never data

Row = tuple[int, list[Any]]
Grid = list[Row]


@dataclass
class RawTable:
    """The data rows of one sheet under its (flattened) header, with file row numbers."""

    file: str
    sheet: str
    headers: list[str]
    rows: Grid


class NoTable(ValueError):
    """No sheet of the file has a header this import recognises."""


class NoDataRows(NoTable):
    """Every sheet of the file is blank: there is neither a header nor a data row."""


def read_tables(path: Path, is_header: Callable[[str], bool]) -> list[RawTable]:
    """Every table in the file whose header row `is_header` recognises (at least two columns)."""
    check_file_size(path)
    suffix = path.suffix.lower()
    grids = (
        _csv_grids(path, is_header)
        if suffix in (".csv", ".txt")
        else _workbook_grids(path, is_header)
    )
    tables = []
    filled = False
    for sheet, grid, had_rows in grids:
        filled = filled or had_rows
        table = _table(path.name, sheet, grid, is_header)
        if table is not None:
            tables.append(table)
    if not filled:
        raise NoDataRows(f"{path.name}: 没有数据行（文件是空的）；请填写表头和数据后再导入")
    if not tables:
        raise NoTable(
            f"{path.name}: 找不到表头：前 {HEADER_SCAN_ROWS} 个有内容的行"
            f"（至多前 {HEADER_SCAN_MAX_ROWS:,} 行）里没有可识别的列名；"
            "请按 powerlist templates 生成的模板填写表头"
        )
    return tables


class HeaderWindow:
    """Watches the first HEADER_SCAN_ROWS filled rows of a sheet for a recognised header cell,
    so a sheet without one is given up at once instead of parsed whole (a hostile 200,000-row
    sheet took 40–100 s before it was refused). Blank rows count towards HEADER_SCAN_MAX_ROWS."""

    def __init__(self, is_header: Callable[[str], bool]) -> None:
        self.is_header = is_header
        self.filled = 0
        self.read = 0
        self.found = False
        self.gave_up = False

    def hopeless(self, values: list[Any]) -> bool:
        """Count one more row; True once the window is full and none of it looked like a header."""
        if self.found:
            return False
        self.read += 1
        if any(x is not None and x != "" for x in values):
            self.filled += 1
            self.found = any(_header_text(v) and self.is_header(_header_text(v)) for v in values)
        self.gave_up = not self.found and (
            self.filled >= HEADER_SCAN_ROWS or self.read >= HEADER_SCAN_MAX_ROWS
        )
        return self.gave_up


def _workbook_grids(
    path: Path, is_header: Callable[[str], bool]
) -> Iterator[tuple[str, Grid, bool]]:
    """Each visible sheet's filled rows, and whether it had any (a sheet given up for want of a
    header had rows, though none are kept)."""
    wb = open_workbook(path)
    fast = _FastOnce(path)
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible" or ws.title in GUIDE_SHEETS:
                continue
            window = HeaderWindow(is_header)
            grid = _sheet_grid(path, ws, window, fast)
            _fill_merged(grid, _merged_ranges(ws) if grid else [])
            grid = [(n, v) for n, v in grid if any(x is not None and x != "" for x in v)]
            yield ws.title, grid, bool(grid) or window.filled > 0 or window.gave_up
    finally:
        fast.close()
        wb.close()


def _sheet_grid(path: Path, ws: Any, window: HeaderWindow, fast: _FastOnce) -> Grid:
    """openpyxl streams the header scan window; once a header is found the rest of the sheet
    is read by python-calamine (or still by openpyxl if calamine cannot read the file)."""
    settings = get_settings()
    limit = settings.import_max_rows + HEADER_SCAN_ROWS
    shared: dict[str, str] = {}  # one object per repeated text (承办机构, 追责情形 …)
    grid: Grid = []
    head = sheet_rows(ws, settings.import_max_columns, shared)
    for number, values in head:
        if window.hopeless(values):
            break
        grid.append(_capped(path, ws.title, number, limit, values))
        if window.found:
            rest = fast.rows(ws.title, settings.import_max_columns, shared, number) or head
            grid.extend(_capped(path, ws.title, n, limit, v) for n, v in rest)
            break
    head.close()
    return [] if window.gave_up else grid


def _capped(path: Path, sheet: str, number: int, limit: int, values: list[Any]) -> Row:
    if number > limit:
        raise UnsafeFile(
            f"{path.name}: 工作表“{sheet}”超过 {get_settings().import_max_rows:,} 行；"
            "请拆分成几个文件后再导入"
        )
    return number, values


class _FastOnce:
    """python-calamine opened at most once per file, and only when a sheet has a header."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheets: FastSheets | None = None
        self.failed = False

    def rows(
        self, title: str, max_col: int, shared: dict[str, str], after: int
    ) -> Iterator[tuple[int, list[Any]]] | None:
        """The sheet's rows below `after` read by calamine, or None when it cannot read them."""
        if self.failed:
            return None
        try:
            if self.sheets is None:
                self.sheets = FastSheets(self.path)
            return self.sheets.rows(title, max_col, shared, after)
        except Exception as exc:  # any calamine failure: openpyxl reads on, as it always did
            log.warning("python-calamine cannot read %s (%s); openpyxl reads it", self.path, exc)
            self.failed = True
            return None

    def close(self) -> None:
        """Release the file."""
        if self.sheets is not None:
            self.sheets.close()


def _merged_ranges(ws: Any) -> list[tuple[int, int, int, int]]:
    """Merged ranges scanned from the sheet XML, which read-only mode does not parse."""
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with ws._get_source() as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            data = tail + chunk
            found.extend(range_boundaries(m.decode()) for m in MERGE_REF.findall(data))
            tail = data[-64:]  # a reference cut by the chunk boundary is found next time
    return list(dict.fromkeys(found))  # type: ignore[arg-type]


def _fill_merged(grid: Grid, merges: list[tuple[int, int, int, int]]) -> None:
    if not merges:
        return
    by_row = {number: values for number, values in grid}
    column_cap = get_settings().import_max_columns
    last_row = grid[-1][0] if grid else 0
    for min_col, min_row, wide_col, tall_row in merges:
        # a hostile A1:XFD1048576 must not fill 16,384 columns or walk a million rows
        max_col, max_row = min(wide_col, column_cap), min(tall_row, last_row)
        top = by_row.get(min_row)
        if top is None or min_col > len(top):
            continue
        if _covers_values(by_row, min_col, min_row, max_col, max_row):
            continue  # cells under a real merge are empty: this range was drawn over the data
        value = top[min_col - 1]
        for number in range(min_row, max_row + 1):
            row = by_row.get(number)
            if row is None:
                continue
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            for col in range(min_col, max_col + 1):
                row[col - 1] = value


def _covers_values(
    by_row: dict[int, list[Any]], min_col: int, min_row: int, max_col: int, max_row: int
) -> bool:
    """True when a cell other than the top-left of the range holds a value of its own."""
    for number in range(min_row, max_row + 1):
        row = by_row.get(number)
        if row is None:
            continue
        for col in range(min_col, min(max_col, len(row)) + 1):
            if (number, col) != (min_row, min_col) and row[col - 1] not in (None, ""):
                return True
    return False


def _csv_grids(path: Path, is_header: Callable[[str], bool]) -> Iterator[tuple[str, Grid, bool]]:
    raw = path.read_bytes()
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise UnsafeFile(
            f"{path.name}: 第{line}行含有空字符（NUL），不是文本文件；"
            "请另存为 CSV 或 .xlsx 后再导入"
        )
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes almost any bytes; this is for the rare truly broken file
        raise UnsafeFile(
            f"{path.name}: 无法识别文件编码（既不是 UTF-8 也不是 GB18030）；"
            "请另存为 UTF-8 编码的 CSV 或 .xlsx 后再导入"
        )
    settings = get_settings()
    grid: Grid = []
    limit = settings.import_max_rows + HEADER_SCAN_ROWS
    window = HeaderWindow(is_header)
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if window.hopeless(row):
            grid = []
            break
        if number > limit:
            raise UnsafeFile(
                f"{path.name}: 超过 {settings.import_max_rows:,} 行；请拆分成几个文件后再导入"
            )
        if any(cell.strip() for cell in row):
            values = row[: settings.import_max_columns]
            while values and not values[-1]:
                values.pop()  # trailing empty cells (a,b,,,) are not columns of the file
            grid.append((number, values))
    yield "CSV", grid, bool(grid) or window.filled > 0 or window.gave_up


def _table(file: str, sheet: str, grid: Grid, is_header: Callable[[str], bool]) -> RawTable | None:
    scores = [
        (sum(1 for v in values if _header_text(v) and is_header(_header_text(v))), index)
        for index, (_, values) in enumerate(grid[:HEADER_SCAN_ROWS])
    ]
    best, index = max(scores, default=(0, 0), key=lambda pair: (pair[0], -pair[1]))
    if best < 2:
        return None
    headers = [_header_text(v) for v in grid[index][1]]
    body = grid[index + 1 :]
    if body and _is_sub_header(headers, body[0][1], is_header):
        headers = _flatten(headers, [_header_text(v) for v in body[0][1]])
        body = body[1:]
    folded_header = [fold(h) for h in headers if h]
    rows = [(n, v) for n, v in body if not _is_note(v) and not _repeats(v, headers, folded_header)]
    limit = get_settings().import_max_rows
    if len(rows) > limit:
        raise UnsafeFile(f"{file}: 工作表“{sheet}”超过 {limit:,} 行；请拆分成几个文件后再导入")
    # rows end at their rightmost filled cell: the table is as wide as the widest of them
    width = max((len(v) for _, v in rows), default=0)
    headers += [""] * (width - len(headers))
    return RawTable(file, sheet, headers, rows)


def _header_text(value: Any) -> str:
    return (clean(value) or "").replace("\n", "")


def _is_sub_header(top: list[str], values: list[Any], is_header: Callable[[str], bool]) -> bool:
    """A second header row: each cell repeats the one above (a vertical merge) or is a header."""
    texts = [_header_text(v) for v in values]
    above = top + [""] * max(0, len(texts) - len(top))
    new = [t for t, a in zip(texts, above, strict=False) if t and t != a]
    return bool(new) and all(is_header(t) for t in new)


def _flatten(top: list[str], sub: list[str]) -> list[str]:
    width = max(len(top), len(sub))
    top = top + [""] * (width - len(top))
    sub = sub + [""] * (width - len(sub))
    return [s or t for t, s in zip(top, sub, strict=True)]


def _repeats(values: list[Any], headers: list[str], folded_header: list[str]) -> bool:
    """The header repeated further down (lists pasted from Word repeat it on every page)."""
    first = next((v for v in values if v not in (None, "")), None)
    first_header = next((h for h in headers if h), None)
    if first is None or _header_text(first) != first_header:
        return False
    return [fold(t) for t in (_header_text(v) for v in values) if t] == folded_header


def _is_note(values: list[Any]) -> bool:
    """Section rows (一、行政许可) and footer notes (注：…): one distinct text in the row."""
    if len({v for v in values if v is not None and v != ""}) > 1:
        return False  # the common case, decided without cleaning any text
    texts = [text for v in values if (text := clean(v))]
    distinct = set(texts)
    if len(distinct) != 1:
        return False
    text = texts[0] or ""
    return bool(NOTE_PREFIX.match(text) or SECTION_PREFIX.match(text)) or len(texts) > 1
