"""The one look of every powerlist workbook: header style, wrapping, number formats, print setup.

Style objects are created once here and shared. Body text needs no style of its own: the
default cell format wraps and top-aligns (see `fastcells`); a cell gets a style only for a
number format or a text-forcing prefix, as per-cell styles cost 2-3x.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

HEADER_FONT = Font(name="等线", bold=True, size=11)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9E1F2", end_color="D9E1F2")
HEADER_BORDER = Border(
    left=Side(style="thin", color="8EA9DB"),
    right=Side(style="thin", color="8EA9DB"),
    top=Side(style="thin", color="8EA9DB"),
    bottom=Side(style="medium", color="4472C4"),
)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
LABEL_FONT = Font(name="等线", bold=True)
FLAG_FILL = PatternFill(fill_type="solid", start_color="FFC7CE", end_color="FFC7CE")

NUMBER_FORMATS: dict[str, str] = {
    "int": "0",
    "float": "0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}

MIN_WIDTH = 6.0
MAX_WIDTH = 60.0
WRAP_WIDTH = 50.0
WIDTH_PADDING = 2.0
A4 = 9  # ECMA-376 paper size code for A4
PAGE_FOOTER = "第 &P 页，共 &N 页"


def fit_width(longest: int, wrap: bool) -> float:
    """Column width for the longest value seen (display units); wrapped columns stay narrower."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, longest + WIDTH_PADDING))
    return min(width, WRAP_WIDTH) if wrap else width


def apply_print_setup(ws: object, title_rows: str = "1:1") -> None:
    """A4 landscape, fit all columns on one page width, repeat the header row on every page.

    In write-only mode call it before the first row: sheet properties are written first.
    """
    ws.page_setup.orientation = "landscape"  # type: ignore[attr-defined]
    ws.page_setup.paperSize = A4  # type: ignore[attr-defined]
    ws.page_setup.fitToWidth = 1  # type: ignore[attr-defined]
    ws.page_setup.fitToHeight = 0  # type: ignore[attr-defined]
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)  # type: ignore[attr-defined]
    ws.print_title_rows = title_rows  # type: ignore[attr-defined]
    ws.page_margins.left = ws.page_margins.right = 0.4  # type: ignore[attr-defined]
    ws.page_margins.top = ws.page_margins.bottom = 0.6  # type: ignore[attr-defined]
    ws.oddFooter.center.text = PAGE_FOOTER  # type: ignore[attr-defined]
