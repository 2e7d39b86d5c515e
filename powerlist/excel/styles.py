"""The one look of every powerlist workbook: header style, wrapping, number formats, print setup.

Style objects are created once here and shared. Body text needs no style of its own: the
default cell format wraps and top-aligns (see `fastcells`); a cell gets a style only for a
number format or a text-forcing prefix, as per-cell styles cost 2-3x.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from powerlist.excel.heights import print_scale

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
BODY_BORDER = Border(
    left=Side(style="thin", color="BFBFBF"),
    right=Side(style="thin", color="BFBFBF"),
    top=Side(style="thin", color="BFBFBF"),
    bottom=Side(style="thin", color="BFBFBF"),
)


def fit_width(longest: int, wrap: bool) -> float:
    """Column width for the longest value seen (display units); wrapped columns stay narrower."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, longest + WIDTH_PADDING))
    return min(width, WRAP_WIDTH) if wrap else width


def apply_print_setup(
    ws: object,
    title_rows: str = "1:1",
    *,
    widths: Sequence[float] = (),
    title: str = "",
    sign_off: bool = False,
) -> None:
    # Header and footer are 11 pt: LibreOffice scales them with the page, like the body.
    """A4 landscape, the header row repeated on every page, long lists running down pages.

    The scale fits the columns (`widths`) to the page width but stays at or above
    `MIN_PRINT_SCALE` (body text >= 6 pt); a wider sheet prints at that scale over further
    pages across. `title` (department, year, job) heads every page with the sheet name;
    `sign_off` puts the 签字栏 in the footer of forms that are returned.
    In write-only mode call it before the first row: sheet properties are written first.
    """
    ws.page_setup.orientation = "landscape"  # type: ignore[attr-defined]
    ws.page_setup.paperSize = A4  # type: ignore[attr-defined]
    # A scale of our own, never "fit to width": LibreOffice's fit shrank sheets to 49 %
    # (5.4 pt text) for widths that need 62 %; a sheet wider than the floor allows goes on
    # to a second page across, the header row repeated.
    ws.page_setup.scale = (  # type: ignore[attr-defined]
        print_scale(widths, A4_LANDSCAPE_POINTS, MIN_PRINT_SCALE) if widths else 100
    )
    ws.page_setup.pageOrder = "overThenDown"  # type: ignore[attr-defined]
    ws.print_title_rows = title_rows  # type: ignore[attr-defined]
    ws.page_margins.left = ws.page_margins.right = 0.4  # type: ignore[attr-defined]
    ws.page_margins.top = ws.page_margins.bottom = 0.7  # type: ignore[attr-defined]
    ws.page_margins.header = ws.page_margins.footer = 0.3  # type: ignore[attr-defined]
    if title:
        ws.oddHeader.center.text = f"{_escape(title)}　&A"  # type: ignore[attr-defined]
        ws.oddHeader.center.size = 11  # type: ignore[attr-defined]
    if sign_off:
        ws.oddFooter.left.text = SIGN_OFF  # type: ignore[attr-defined]
        ws.oddFooter.left.size = 11  # type: ignore[attr-defined]
        ws.oddFooter.right.text = PAGE_FOOTER  # type: ignore[attr-defined]
        ws.oddFooter.right.size = 11  # type: ignore[attr-defined]
    else:
        ws.oddFooter.center.text = PAGE_FOOTER  # type: ignore[attr-defined]


def _escape(text: str) -> str:
    """Header text with "&" doubled, so it is printed rather than read as a code."""
    return text.replace("&", "&&")
