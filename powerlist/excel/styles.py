"""The one look of every powerlist workbook: header style, wrapping, number formats, print setup.

The styles are plain property tables, built once per process; `fastcells.Formats` turns
them into the writer's format objects once per workbook. Every body cell wraps its text,
aligns it to the top and has thin grey borders, so a printed table has its grid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from powerlist.excel.heights import print_scale, printed_width_points

FONT_NAME = "等线"
HEADER_FONT_POINTS = 11.0
TITLE_FONT_POINTS = 14.0

# Properties of the writer's cell formats (XlsxWriter names), shared by every workbook.
BODY: Mapping[str, Any] = MappingProxyType(
    {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"}
)
HEADER: Mapping[str, Any] = MappingProxyType(
    {
        "font_name": FONT_NAME,
        "font_size": HEADER_FONT_POINTS,
        "bold": True,
        "pattern": 1,
        "bg_color": "#D9E1F2",
        "border": 1,
        "border_color": "#8EA9DB",
        "bottom": 2,
        "bottom_color": "#4472C4",
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
    }
)
TITLE: Mapping[str, Any] = MappingProxyType(
    {
        "font_name": FONT_NAME,
        "font_size": TITLE_FONT_POINTS,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
    }
)
LABEL: Mapping[str, Any] = MappingProxyType({**BODY, "font_name": FONT_NAME, "bold": True})
FLAG_COLOR = "FFC7CE"

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
# Printable width of A4 landscape (297 mm) less the 0.4 in margins, in points.
A4_LANDSCAPE_POINTS = 842.0 - 2 * 0.4 * 72
# The smallest print scale: 11 pt body text prints at 6.6 pt, above the 6 pt floor; a wider
# sheet goes on to further pages across rather than shrinking its text below that.
MIN_PRINT_SCALE = 60
# The sign-off block (签字栏) printed at the foot of forms a department returns.
SIGN_OFF = (
    "填报单位（盖章）：__________　填报人：________　联系电话：__________　"
    "分管领导：________　日期：____年__月__日"
)
HEADER_FOOTER_POINTS = 11  # LibreOffice scales header and footer with the page, like the body


def fit_width(longest: int, wrap: bool) -> float:
    """Column width for the longest value seen (display units); wrapped columns stay narrower."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, longest + WIDTH_PADDING))
    return min(width, WRAP_WIDTH) if wrap else width


def apply_print_setup(
    ws: Any,
    title_rows: tuple[int, int] = (0, 0),
    *,
    widths: Sequence[float] = (),
    title: str = "",
    sign_off: bool = False,
    key_columns: int = 0,
) -> None:
    """A4 landscape, the header rows (0-based, inclusive) repeated on every page, long lists
    running down pages.

    The scale fits the columns (`widths`) to the page width but stays at or above
    `MIN_PRINT_SCALE` (body text >= 6 pt); a wider sheet prints at that scale over further
    pages across. `title` (department, year, job) heads every page with the sheet name;
    `sign_off` puts the 签字栏 in the footer of forms that are returned; `key_columns`
    leading columns are printed again on each page across when the sheet needs more than one.
    """
    ws.set_landscape()
    ws.set_paper(A4)
    # A scale of our own, never "fit to width": LibreOffice's fit shrank sheets to 49 %
    # (5.4 pt text) for widths that need 62 %; a sheet wider than the floor allows goes on
    # to a second page across, the header row repeated.
    scale = print_scale(widths, A4_LANDSCAPE_POINTS, MIN_PRINT_SCALE) if widths else 100
    ws.set_print_scale(scale)
    ws.print_across()
    ws.repeat_rows(*title_rows)
    if key_columns and printed_width_points(widths) * scale / 100 > A4_LANDSCAPE_POINTS:
        ws.repeat_columns(0, key_columns - 1)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
    size = f"&{HEADER_FOOTER_POINTS}"
    if title:
        ws.set_header(f"&C{size}{_escape(title)}　&A", {"margin": 0.3})
    footer = f"&L{size}{SIGN_OFF}&R{size}{PAGE_FOOTER}" if sign_off else f"&C{PAGE_FOOTER}"
    ws.set_footer(footer, {"margin": 0.3})


def _escape(text: str) -> str:
    """Header text with "&" doubled, so it is printed rather than read as a code."""
    return text.replace("&", "&&")
