"""A read-only worksheet's rows, each only as wide as its rightmost filled cell.

`ReadOnlyWorksheet.iter_rows(max_col=N)` pads every row to N values (100 for the column cap,
on a list of 11 columns), and without a cap it trusts the sheet's `<dimension>`, which some
exporters write wrong. This runs openpyxl's own sheet parser (the one `iter_rows` uses, same
values, dates and defusedxml) and keeps a row's values up to its last filled cell, capped.
"""

from __future__ import annotations

from collections.abc import Iterator
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
