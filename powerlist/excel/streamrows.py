"""Body rows of a streamed sheet written straight as XML: the bytes XlsxWriter would write.

In `constant_memory` mode XlsxWriter stores each cell in a per-row table, then writes the
row through a generic cell writer (attribute lists, escaping, a class-name dispatch per
cell): at province scale (the city summary's ~70,000 rows) that was two thirds of the
workbook's time. `RowStreamer` renders a row of plain values (text, whole and decimal
numbers, dates) in one pass, with the same formats, escapes, heights and dimensions, and
appends it to the sheet's row file; a row holding anything else (a formula, a flagged cell,
a bool, a NaN…) is left to the caller's general path, so the file is the same either way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from powerlist.excel import styles
from powerlist.excel.cells import clean_text, looks_like_formula
from powerlist.excel.fastcells import Formats
from powerlist.excel.layout import Column

# What XlsxWriter's control-character escaping (_xHHHH_) would change; most text has none.
_NEEDS_CONTROL_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_NEEDS_XML_ESCAPE = re.compile("[&<>]")


class RowStreamer:
    """Writes plain body rows of one streamed (`constant_memory`) sheet as XML."""

    def __init__(self, ws: Any, formats: Formats, columns: Sequence[Column]) -> None:
        # Only XlsxWriter's plain streamed sheet: not the 2010 extensions (dyDescent) or the
        # in-memory table, whose rows XlsxWriter writes itself at the end.
        self.enabled = bool(ws.constant_memory) and ws.excel_version == 2007
        self._ws = ws
        self._formats = formats
        self._kinds = [column.kind for column in columns]
        self._letters = [xl_col_to_name(col) for col in range(len(columns))]
        # formats are looked up when first needed: one added but never used would still be
        # a format of the workbook
        self._text: dict[bool, Any] = {}
        self._numbers: dict[int, Any] = {}
        self._dates: dict[int, Any] = {}
        self._string_limit = ws.xls_strmax // 2  # longer text may need XlsxWriter's cut

    def write(self, row: int, values: Sequence[Any], height: float | None) -> bool:
        """Write `values` as sheet row `row` (0-based) with `height` (XlsxWriter's row pixels,
        None for the default); False, having written nothing, when a value needs the general
        path."""
        ws = self._ws
        if row <= ws.previous_row:  # XlsxWriter's own rule: streamed rows go forwards only
            return False
        cells = self._cells(row, values)
        if cells is None:
            return False
        ws._write_single_row(row)  # the row the general path wrote before this one, if any
        head = f'<row r="{row + 1}"'
        if height is not None:
            ws.row_sizes[row] = [height, False]
            if height != ws.original_row_height or height != ws.default_row_height:
                head += f' ht="{height * 0.75:.16g}" customHeight="1"'
        if cells:
            ws.fh.write(head + ">" + "".join(self._render(cells, row + 1)) + "</row>")
            ws._check_dimensions(row, cells[0][0])
            ws._check_dimensions(row, cells[-1][0])
        elif height is not None:  # a row with a height and no cell: XlsxWriter's empty row
            ws.fh.write(head + "/>")
            ws._check_dimensions(row, ws.dim_colmin or 0)
        return True

    def _cells(self, row: int, values: Sequence[Any]) -> list[tuple[int, Any, str]] | None:
        """(column, format, rendered value) of each non-empty cell; None if one is not plain."""
        cells: list[tuple[int, Any, str]] = []
        for col, value in enumerate(values):
            kind = type(value)
            if value is None or (kind is str and not value):
                continue
            if kind is str:
                text = clean_text(value)
                if len(text) > self._string_limit or (
                    text.startswith("<r>") and text.endswith("</r>")
                ):
                    return None
                quote = looks_like_formula(text)
                fmt = self._text.get(quote) or self._text.setdefault(
                    quote, self._formats.get(quote=quote)
                )
                cells.append((col, fmt, _inline(text)))
            elif kind is int or kind is float:
                if self._kinds[col] == "text" or (kind is float and not math.isfinite(value)):
                    return None
                fmt = self._numbers.get(col) or self._number_format(col)
                cells.append((col, fmt, f"><v>{value:.16G}</v></c>"))
            elif kind is date:
                if self._kinds[col] == "text":
                    return None
                fmt = self._dates.get(col) or self._date_format(col)
                serial = self._ws._convert_date_time(value)
                cells.append((col, fmt, f"><v>{serial:.16G}</v></c>"))
            else:
                return None
        return cells

    def _number_format(self, col: int) -> Any:
        """A number's format in column `col`: whole numbers need none, as the general path."""
        kind = self._kinds[col]
        shown = None if kind == "int" else styles.NUMBER_FORMATS[kind]
        return self._numbers.setdefault(col, self._formats.get(number_format=shown))

    def _date_format(self, col: int) -> Any:
        """A date's format in column `col` (a date in a number column is still a date)."""
        kind = self._kinds[col]
        shown = styles.NUMBER_FORMATS["date" if kind not in ("date", "datetime") else kind]
        return self._dates.setdefault(col, self._formats.get(number_format=shown))

    def _render(self, cells: list[tuple[int, Any, str]], number: int) -> list[str]:
        """The cells' XML; each format's index is taken when first written, as XlsxWriter does
        (the styles part lists formats in that order)."""
        letters = self._letters
        return [
            f'<c r="{letters[col]}{number}" s="{fmt._get_xf_index()}"{rest}'
            for col, fmt, rest in cells
        ]


def _inline(text: str) -> str:
    """The end of an inline-string cell, escaped as XlsxWriter escapes it."""
    if _NEEDS_CONTROL_ESCAPE.search(text):
        text = XMLwriter._escape_control_characters(text)
    preserve = not (text[0].isalnum() and text[-1].isalnum()) and _preserve_whitespace(text)
    if _NEEDS_XML_ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if preserve else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'
