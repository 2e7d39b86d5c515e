"""A read-only worksheet's rows, each only as wide as its rightmost filled cell.

`ReadOnlyWorksheet.iter_rows(max_col=N)` pads every row to N values (100 for the column cap,
on a list of 11 columns), and without a cap it trusts the sheet's `<dimension>`, which some
exporters write wrong. This runs openpyxl's own sheet parser (the one `iter_rows` uses, same
values, dates and defusedxml) and keeps a row's values up to its last filled cell, capped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.worksheet._reader import WorkSheetParser


def sheet_rows(
    ws: Any, max_col: int, shared: dict[str, str] | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values up to the rightmost filled cell in columns 1..`max_col`) per row.

    Rows absent from the sheet XML are not yielded (they are blank). Text values are replaced
    by one object per distinct text through `shared`, so a repeated 承办机构 is stored once.
    """
    book = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            width = 0
            for cell in cells:
                value = cell["value"]
                if value is not None and value != "" and width < cell["column"] <= max_col:
                    width = cell["column"]
            values: list[Any] = [None] * width
            for cell in cells:
                column = cell["column"]
                if column <= width:
                    value = cell["value"]
                    if shared is not None and type(value) is str:
                        value = shared.setdefault(value, value)
                    values[column - 1] = value
            yield number, values


class FastSheets:
    """The same rows read by python-calamine (Rust), 5× faster than openpyxl's parser.

    Used only for a sheet whose header openpyxl has already found in the scan window, after
    every zip and size check: a header-less or hostile sheet never reaches it. Values are made
    the same as openpyxl's: integral numbers as int, dates as datetime, empty cells as None.
    """

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook  # late: only imports with a header use it

        self.book = CalamineWorkbook.from_path(str(path))

    def rows(
        self, title: str, max_col: int, shared: dict[str, str], after: int = 0
    ) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values up to the rightmost filled cell in columns 1..`max_col`) of the
        rows below row `after`. The sheet is parsed here (errors raise now, not while iterating)."""
        sheet = self.book.get_sheet_by_name(title)
        return _calamine_rows(sheet, max_col, shared, after)

    def close(self) -> None:
        """Release the file."""
        self.book.close()


def _calamine_rows(
    sheet: Any, max_col: int, shared: dict[str, str], after: int
) -> Iterator[tuple[int, list[Any]]]:
    first_row, first_col = sheet.start or (0, 0)
    width = max_col - first_col
    lead: list[Any] = [None] * first_col
    for number, cells in enumerate(sheet.iter_rows(), start=first_row + 1):
        if number <= after:
            continue
        values = cells[:width] if width > 0 else []
        last = len(values)
        while last and (values[last - 1] == "" or values[last - 1] is None):
            last -= 1
        yield number, [*lead, *(_same(v, shared) for v in values[:last])] if last else []


def _same(value: Any, shared: dict[str, str]) -> Any:
    kind = type(value)
    if kind is str:
        return shared.setdefault(value, value) if value else None
    if kind is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value
