"""Body rows of plain values written without XlsxWriter's per-cell path: the same bytes.

XlsxWriter stores each cell through a generic, argument-checking `write_*` call, then writes
it through a generic cell writer (attribute lists, escaping, a class-name dispatch per
cell): at province scale (the city summary's ~77,000 rows, the rosters' ~1,000 workbooks a
day) that was most of a workbook's time. `RowStreamer` takes a row of plain values (text,
whole and decimal numbers, dates, our own formulas) in one pass, with the same formats,
shared strings, escapes, heights and dimensions: a streamed (`constant_memory`) sheet gets
the row's XML appended to its row file, an in-memory sheet gets each cell stored ready
rendered (`Ready`), written at the end by `_Worksheet._write_cell`. A row holding anything
else (a flagged cell, a bool, a NaN…) is left to the caller's general path, so the file is
the same either way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import re_dynamic_function
from xlsxwriter.xmlwriter import XMLwriter

from powerlist.excel import styles
from powerlist.excel.cells import clean_text, looks_like_formula
from powerlist.excel.fastcells import Formats
from powerlist.excel.layout import Column, Formula

# What XlsxWriter's control-character escaping (_xHHHH_) would change; most text has none.
_NEEDS_CONTROL_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_NEEDS_XML_ESCAPE = re.compile("[&<>]")


class Ready:
    """A cell of an in-memory sheet, rendered but for its reference and its format's index,
    which XlsxWriter assigns when the cell is written out (the styles' order)."""

    __slots__ = ("format", "rest")

    def __init__(self, cell_format: Any, rest: str) -> None:
        self.format = cell_format
        self.rest = rest


Cell = tuple[int, Any, "str | None", str]  # column, format, text (a string cell) or None, XML


class RowStreamer:
    """Writes plain body rows of one streamed (`constant_memory`) sheet as XML."""

    def __init__(
        self, ws: Any, formats: Formats, columns: Sequence[Column], *, charted: bool = False
    ) -> None:
        # Not the 2010 extensions (dyDescent); a sheet with a chart keeps XlsxWriter's own
        # cells, which the chart's cached values are read from.
        self.enabled = ws.excel_version == 2007 and not charted
        self._streamed = bool(ws.constant_memory)
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
        if self._streamed and row <= ws.previous_row:  # XlsxWriter's rule: rows go forwards
            return False
        cells = self._cells(values)
        if cells is None:
            return False
        if not self._streamed:
            self._store(row, cells, height)
            return True
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

    def _store(self, row: int, cells: list[Cell], height: float | None) -> None:
        """An in-memory sheet's row: the height as `set_row` stores it, each text in the
        shared strings in cell order (their indices and counts as `write_string` leaves
        them), each cell ready rendered."""
        ws = self._ws
        if height is not None:
            ws.set_row_pixels(row, height)
        if not cells:
            return
        strings = ws.str_table
        stored = ws.table[row]
        for col, fmt, text, rest in cells:
            if text is not None:
                rest = f' t="s"><v>{strings._get_shared_string_index(text)}</v></c>'
            stored[col] = Ready(fmt, rest)
        ws._check_dimensions(row, cells[0][0])
        ws._check_dimensions(row, cells[-1][0])

    def _cells(self, values: Sequence[Any]) -> list[Cell] | None:
        """Each non-empty cell: column, format, its text if a string, the XML after its
        format (a streamed string's too); None if one is not plain."""
        streamed = self._streamed
        cells: list[Cell] = []
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
                cells.append((col, fmt, None, _inline(text)) if streamed else (col, fmt, text, ""))
            elif kind is int or kind is float:
                if self._kinds[col] == "text" or (kind is float and not math.isfinite(value)):
                    return None
                fmt = self._numbers.get(col) or self._number_format(col)
                cells.append((col, fmt, None, f"><v>{value:.16G}</v></c>"))
            elif kind is date:
                if self._kinds[col] == "text":
                    return None
                fmt = self._dates.get(col) or self._date_format(col)
                serial = self._ws._convert_date_time(value)
                cells.append((col, fmt, None, f"><v>{serial:.16G}</v></c>"))
            elif kind is Formula:
                formula = value.text
                if not formula or formula.startswith("{") or re_dynamic_function.search(formula):
                    return None  # XlsxWriter writes these as array formulas
                fmt = self._text.get(False) or self._text.setdefault(False, self._formats.get())
                shown = _escape(self._ws._prepare_formula(formula))
                cells.append((col, fmt, None, f"><f>{shown}</f><v></v></c>"))
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

    def _render(self, cells: list[Cell], number: int) -> list[str]:
        """The cells' XML; each format's index is taken when first written, as XlsxWriter does
        (the styles part lists formats in that order)."""
        letters = self._letters
        return [
            f'<c r="{letters[col]}{number}" s="{fmt._get_xf_index()}"{rest}'
            for col, fmt, _, rest in cells
        ]


def _inline(text: str) -> str:
    """The end of an inline-string cell, escaped as XlsxWriter escapes it."""
    if _NEEDS_CONTROL_ESCAPE.search(text):
        text = XMLwriter._escape_control_characters(text)
    preserve = not (text[0].isalnum() and text[-1].isalnum()) and _preserve_whitespace(text)
    space = ' xml:space="preserve"' if preserve else ""
    return f' t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _escape(text: str) -> str:
    """Text escaped for an element's content, as XlsxWriter escapes it (quotes stay)."""
    if _NEEDS_XML_ESCAPE.search(text):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text
