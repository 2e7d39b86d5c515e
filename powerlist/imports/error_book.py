"""The error workbook (错误清单): the user's rows with bad cells highlighted and a message column.

It keeps the file's own headers, so once corrected it can be uploaded again as it is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.utils import get_column_letter

from powerlist.excel import Column, Flagged, TableSheet, WorkbookInfo, build_workbook
from powerlist.imports.fields import ERROR_MESSAGE_HEADER, ERROR_ROW_HEADER
from powerlist.imports.problems import RowError
from powerlist.imports.sources import RawTable
from powerlist.settings import get_settings


def write_error_workbook(
    target: Path, kind_title: str, file: str, tables: list[RawTable], errors: list[RowError]
) -> Path:
    """Write the error workbook for `errors` found in `tables` of `file`; return its path."""
    by_cell: dict[tuple[str, int | None], dict[str | None, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for error in errors:
        by_cell[(error.sheet, error.row)][error.column].append(error.message)
    sheets = [_sheet(table, by_cell, index) for index, table in enumerate(tables)]
    general = [str(e) for e in errors if e.row is None]
    info = WorkbookInfo(
        job=f"导入{kind_title}（错误清单）",
        period=datetime.now(ZoneInfo(get_settings().timezone)).strftime("%Y-%m-%d"),
        department="—",
        sources=(file,),
        notes=(
            f"共 {len(errors)} 处错误，整个文件未导入。",
            f"请按“{ERROR_MESSAGE_HEADER}”列修改标红的单元格，然后重新上传本文件（或改好的原文件）。",
            *general,
        ),
    )
    build_workbook(target, info, sheets)
    return target


def _sheet(table: RawTable, by_cell: dict[tuple[str, int | None], Any], index: int) -> TableSheet:
    headers = [h or f"列{i + 1}" for i, h in enumerate(table.headers)]
    letters = {_letter_header(i, h): i for i, h in enumerate(table.headers)}
    rows = []
    for number, values in table.rows:
        cells = by_cell.get((table.sheet, number), {})
        padded: list[Any] = list(values) + [None] * (len(headers) - len(values))
        for column, messages in cells.items():
            position = letters.get(column) if column else None
            if position is not None:
                padded[position] = Flagged(padded[position], "；".join(messages))
        message = "；".join(
            f"{c.split(' ', 1)[-1]}：{m}" if c else m for c, ms in cells.items() for m in ms
        )
        rows.append([number, *padded[: len(headers)], message or None])
    columns = [
        Column(ERROR_ROW_HEADER, kind="int"),
        *(Column(h) for h in headers),
        Column(ERROR_MESSAGE_HEADER, wrap=True),
    ]
    title = table.sheet[:28] if table.sheet else f"Sheet{index + 1}"
    return TableSheet(_unique_title(title, index), columns, rows)


def _letter_header(index: int, header: str) -> str:
    return f"{get_column_letter(index + 1)} {header}"


def _unique_title(title: str, index: int) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title) or "Sheet"
    if cleaned in ("说明", "_lists", "_powerlist"):
        cleaned = f"{cleaned}（数据）"
    return cleaned if index == 0 else f"{cleaned[:27]}_{index + 1}"
