"""Reading a report sheet back as a reader sees it: the title row (row 1: department, period,
job and sheet) checked and skipped, then the header and the data rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TITLE_SEPARATOR = "　"  # the title row joins department, period, job and sheet with it


def split_title(rows: Sequence[Sequence[Any]], sheet: str) -> list[Sequence[Any]]:
    """The rows below the title row; fails when row 1 is not the sheet's title row."""
    assert rows, f"sheet {sheet!r} is empty: no title row"
    title = rows[0][0]
    assert isinstance(title, str) and title.endswith(TITLE_SEPARATOR + sheet), (
        f"sheet {sheet!r}: row 1 is {rows[0]!r}, not its title row"
    )
    assert all(v in (None, "") for v in rows[0][1:]), f"sheet {sheet!r}: title row not merged"
    return list(rows[1:])


def table_rows(ws: Any) -> list[tuple[Any, ...]]:
    """Header and data rows (values) of an openpyxl worksheet, below its title row."""
    return [tuple(r) for r in split_title(list(ws.iter_rows(values_only=True)), ws.title)]


def table_dicts(ws: Any) -> list[dict[Any, Any]]:
    """Data rows as {header: value}, below the title row and the header."""
    header, *rows = table_rows(ws)
    return [dict(zip(header, row, strict=True)) for row in rows]


HEADER_ROW = 2  # a report sheet's header row (1-based), below the title row


def header_of(ws: Any) -> list[Any]:
    """The header texts of an editable (not read-only) worksheet, after checking row 1 is its
    title row; data rows are HEADER_ROW + 1 onwards."""
    split_title([[c.value for c in ws[1]]], ws.title)
    return [c.value for c in ws[HEADER_ROW]]
