"""Row heights (行高) for wrapped text, and the "(续)" rule for cells too long for one row.

Pure functions of text and column widths, independent of the library that writes the
workbook: LibreOffice prints a row at the height stored in the file, so a wrapped cell
whose row has no height prints one line. Widths are in spreadsheet character units (the
width of "0" in the body font); CJK and full-width characters count a little over double.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

BODY_FONT_POINTS = 11.0
# Line pitch of the body font as printed: Noto Sans CJK (LibreOffice's CJK fallback) has an
# ascent+descent of 1.45 em, taller than Calibri's 1.22 em; the taller one decides.
LINE_FACTOR = 1.45
ROW_PADDING_POINTS = 3.0
CELL_PADDING_UNITS = 1.0  # the cell's inner margins take about one character of the width
WIDE_CHAR_UNITS = 2.1  # an 11 pt CJK glyph is 11 pt wide; a width unit is about 5.25 pt
# One width unit as printed, measured on LibreOffice 7.4's PDF: 5.55 pt with Carlito, the
# Calibri-compatible font every LibreOffice ships (Excel: ~5.3 pt). Without Carlito LibreOffice
# measures columns in DejaVu Sans, 7.0 pt a unit: sheets print a quarter wider and spill onto
# a further page across, and wrapped text takes fewer lines than its row was sized for.
PRINTED_UNIT_POINTS = 5.55
MAX_ROW_POINTS = 409.0  # the largest row height Excel and LibreOffice store
CONTINUED_MARK = "（续）"
CONTINUES_MARK = "（接下行）"


def char_units(ch: str) -> float:
    """Width of one character in width units: CJK and full-width count double (2.1)."""
    units = _UNITS.get(ch)
    if units is None:
        units = _UNITS[ch] = WIDE_CHAR_UNITS if unicodedata.east_asian_width(ch) in "WF" else 1.0
    return units


_UNITS: dict[str, float] = {}  # each character's width, looked up once per process


@lru_cache(maxsize=16384)
def line_count(text: str, width: float) -> int:
    """Printed lines of `text` wrapped in a column `width` units wide (at least one).

    Memoised: the same names, units and duties recur in row after row and workbook after
    workbook of a job.
    """
    usable = max(1.0, width - CELL_PADDING_UNITS)
    if len(text) * WIDE_CHAR_UNITS <= usable and "\n" not in text:
        return 1  # the common short cell, without looking at each character
    return _wrapped_lines(text, usable)


def _wrapped_lines(text: str, usable: float) -> int:
    """Lines of a text that may wrap (cached by `line_count`)."""
    total = 0
    for paragraph in text.split("\n"):
        total += _paragraph_lines(paragraph, usable)
    return max(1, total)


# Characters that are surely wide (East Asian width W or F: 2.1 units): CJK symbols and
# punctuation, kana, the unified ideographs, full-width forms. tests/test_heights.py checks
# every one of them against unicodedata.
WIDE_RANGES = (
    ("\u3000", "\u303e"),
    ("\u3041", "\u3096"),
    ("\u30a1", "\u30fa"),
    ("\u4e00", "\u9fff"),
    ("\uff01", "\uff60"),
    ("\uffe0", "\uffe6"),
)
_ALL_WIDE = re.compile("[" + "".join(f"{a}-{b}" for a, b in WIDE_RANGES) + "]+").fullmatch


@lru_cache(maxsize=256)
def _wide_per_line(usable: float) -> int:
    """How many wide characters a line holds: the additions `_paragraph_lines` makes, from an
    empty line, before one would overflow."""
    used, count = 0.0, 0
    while used + WIDE_CHAR_UNITS <= usable:
        used += WIDE_CHAR_UNITS
        count += 1
    return count


def _paragraph_lines(paragraph: str, usable: float) -> int:
    """Lines one paragraph takes: break before the character that would overflow; Latin
    words move whole to the next line, so a line may end early (counted, not guessed)."""
    if not paragraph:
        return 1
    if _ALL_WIDE(paragraph):  # every line starts empty and holds as many: no need to lay it
        per_line = _wide_per_line(usable)
        if per_line:
            return -(-len(paragraph) // per_line)
    return _laid_lines(paragraph, usable)


def _laid_lines(paragraph: str, usable: float) -> int:
    """`_paragraph_lines` character by character (any paragraph but an empty one)."""
    lines = 1
    used = 0.0
    word = 0.0  # width of the Latin word being laid, which moves whole when it overflows
    known = _UNITS
    for ch in paragraph:
        units = known.get(ch) or char_units(ch)
        if used + units > usable:
            lines += 1
            carried = word if ch not in " " and word < usable and units == 1.0 else 0.0
            used = carried
            word = carried
        used += units
        word = word + units if units == 1.0 and not ch.isspace() else 0.0
    return lines


def lines_for_points(points: float, font_points: float = BODY_FONT_POINTS) -> int:
    """How many lines of body text fit in a row `points` high."""
    return max(1, int((points - ROW_PADDING_POINTS) // (font_points * LINE_FACTOR)))


def row_points(lines: int, font_points: float = BODY_FONT_POINTS) -> float:
    """Row height in points that shows `lines` lines of body text, capped at the maximum."""
    height = lines * font_points * LINE_FACTOR + ROW_PADDING_POINTS
    return round(min(MAX_ROW_POINTS, height), 1)


def row_height(
    texts: Sequence[str | None], widths: Sequence[float], font_points: float = BODY_FONT_POINTS
) -> float | None:
    """Height in points for a row of cell texts under columns of `widths`; None when one line
    is enough (the spreadsheet's default height then applies and nothing is stored)."""
    most = 1
    for text, width in zip(texts, widths, strict=False):
        if text:
            most = max(most, line_count(text, width))
    return None if most == 1 else row_points(most, font_points)


def split_for_rows(text: str, width: float, font_points: float = BODY_FONT_POINTS) -> list[str]:
    """The "(续)" rule: a text longer than the tallest row can show is cut into parts that each
    fit one row; every part but the last ends with "（接下行）" and every part but the first
    starts with "（续）", so the printed page says where the text goes on. A text that fits
    is returned whole, as the only part."""
    fit = lines_for_points(MAX_ROW_POINTS, font_points)
    usable = max(1.0, width - CELL_PADDING_UNITS)
    if len(text) * WIDE_CHAR_UNITS / usable + text.count("\n") + 1 <= fit:
        return [text]  # surely fits: spares counting the lines of every cell twice
    if line_count(text, width) <= fit:
        return [text]
    parts: list[str] = []
    rest = text
    while line_count(rest, width) > fit:
        cut = _longest_prefix(rest, width, fit, CONTINUES_MARK)
        parts.append(rest[:cut] + CONTINUES_MARK)
        rest = CONTINUED_MARK + rest[cut:]
    parts.append(rest)
    return parts


def surely_fits_chars(
    width: float, font_points: float = BODY_FONT_POINTS, *, one_paragraph: bool = False
) -> int:
    """The most characters a text can have and still fit the tallest row in a column `width`
    units wide however it breaks (each character wide; each a line break at worst, unless
    `one_paragraph`: a text without one): such a text is never cut by `split_for_rows`,
    which needs not look at it."""
    fit = lines_for_points(MAX_ROW_POINTS, font_points)
    usable = max(1.0, width - CELL_PADDING_UNITS)
    if one_paragraph:
        return max(0, math.floor((fit - 1) * usable / WIDE_CHAR_UNITS))
    return max(0, math.floor((fit - 1) / (WIDE_CHAR_UNITS / usable + 1)))


def _longest_prefix(text: str, width: float, lines: int, suffix: str) -> int:
    """Length of the longest start of `text` that with `suffix` fits in `lines` lines."""
    low, high = 1, len(text) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if line_count(text[:middle] + suffix, width) <= lines:
            low = middle
        else:
            high = middle - 1
    return low


def printed_width_points(widths: Sequence[float]) -> float:
    """Printed width of columns in points at 100 % as LibreOffice prints them: 5.55 pt a
    width unit (measured on its PDF; Excel prints a unit at ~5.3 pt, so a sheet that fits
    LibreOffice's page fits Excel's too), and 3 % more to be sure."""
    return 1.03 * sum(width * PRINTED_UNIT_POINTS for width in widths)


def print_scale(widths: Sequence[float], page_points: float, min_scale: int) -> int:
    """Percent scale that fits the columns across the page, but never below `min_scale`
    (so the printed body text stays readable; what does not fit goes on to further pages)."""
    total = printed_width_points(widths)
    if total <= 0:
        return 100
    return max(min_scale, min(100, math.floor(100 * page_points / total)))
