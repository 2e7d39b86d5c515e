"""Body cells without per-cell styles: the workbook's default format wraps text, top-aligned.

Setting `cell.alignment = …` on each cell makes openpyxl hash the style and add an `s`
attribute per cell, the "per-cell style" cost that made our reports ~3x slower than bare
openpyxl. Instead the default cell format (xf 0, used by every cell written without a style)
wraps text and aligns it to the top, so ordinary text and numbers are written as plain values.
The few cells that need more (a number format, a text prefix, the header) use a style array
registered once per sheet and copied per cell.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils.indexed_list import IndexedList

from powerlist.excel import styles
from powerlist.excel.cells import FORMULA_TRIGGERS, looks_like_formula


def wrap_by_default(wb: Any) -> None:
    """Make a new workbook's default cell format wrap text, align it to the top, draw borders.

    Uses openpyxl's style tables (`_alignments`, `_cell_styles`; stable since openpyxl 2.5):
    there is no public API for the default format, and setting it per cell is what costs.
    """
    wb._alignments = IndexedList([Alignment(), styles.WRAP_ALIGNMENT])
    wb._borders = IndexedList([Border(), styles.BODY_BORDER])
    default = StyleArray()
    default.alignmentId = 1
    default.borderId = 1  # thin grey grid lines, so a printed table has its borders
    wb._cell_styles = IndexedList([default])
    # LibreOffice shows a cell without a format in the "Normal" cell style (cellStyleXfs),
    # not in xf 0 as Excel does: give that style the same wrap, alignment and borders.
    normal = wb._named_styles["Normal"]
    normal.alignment = styles.WRAP_ALIGNMENT
    normal.border = styles.BODY_BORDER


class CellStyles:
    """The style arrays one write-only sheet uses, created on first use."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._arrays: dict[tuple[bool, str | None], StyleArray] = {}
        self._header: StyleArray | None = None
        self._label: StyleArray | None = None

    @property
    def sheet(self) -> Any:
        """The write-only worksheet these styles belong to."""
        return self._ws

    def array(self, *, quote: bool = False, number_format: str | None = None) -> StyleArray:
        """The body style (wrapped, top) with a text prefix or a number format, registered once."""
        key = (quote, number_format)
        found = self._arrays.get(key)
        if found is None:
            template = Cell(self._ws, row=1, column=1)
            template.alignment = styles.WRAP_ALIGNMENT
            template.border = styles.BODY_BORDER
            if quote:
                template.quotePrefix = True
            if number_format is not None:
                template.number_format = number_format
            found = self._arrays[key] = template._style
        return found

    def header(self, text: str) -> Any:
        """A header cell: bold, filled, bordered, centred and wrapped (text, never a formula)."""
        if self._header is None:
            template = Cell(self._ws, row=1, column=1)
            template.font = styles.HEADER_FONT
            template.fill = styles.HEADER_FILL
            template.border = styles.HEADER_BORDER
            template.alignment = styles.HEADER_ALIGNMENT
            self._header = template._style
        return self._styled_text(text, self._header)

    def label(self, text: str) -> Any:
        """A bold label cell (the 说明 sheet's first column)."""
        if self._label is None:
            template = Cell(self._ws, row=1, column=1)
            template.font = styles.LABEL_FONT
            template.alignment = styles.WRAP_ALIGNMENT
            self._label = template._style
        return self._styled_text(text, self._label)

    def _styled_text(self, text: str, array: StyleArray) -> Any:
        cell = Cell(self._ws, row=1, column=1, style_array=array)
        cell.value = text  # openpyxl's checks: headers and labels are few
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
        return cell

    def text(self, text: str) -> Any:
        """`text` (already cleaned) as text: the plain str, or a text-prefixed cell when it
        starts like a formula."""
        if not text.startswith(FORMULA_TRIGGERS):
            return text
        cell = Cell(self._ws, row=1, column=1, style_array=self.array(quote=True))
        cell._value = text
        cell.data_type = "s"
        return cell

    def formula(self, text: str) -> Any:
        """A formula cell (text built by our code, starting with "=") in the body style."""
        cell = Cell(self._ws, row=1, column=1, style_array=self.array())
        cell._value = text
        cell.data_type = "f"
        return cell

    def number(self, value: int | float | date, number_format: str) -> Any:
        """A number or date shown with `number_format`."""
        cell = Cell(self._ws, row=1, column=1, style_array=self.array(number_format=number_format))
        if isinstance(value, date):
            cell._value = value.replace(tzinfo=None) if isinstance(value, datetime) else value
            cell.data_type = "d"
        else:
            cell._value = value
            cell.data_type = "n"
        return cell
