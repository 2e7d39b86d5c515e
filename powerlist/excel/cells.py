"""Cell values that are safe to write: user text stays text, never a formula (公式注入)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A leading character that Excel, LibreOffice or WPS may treat as the start of a formula
# (ASVS 5.0 V1.2.10: = + - @ TAB CR NUL), also after re-editing a cell or in CSV.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
TRUNCATION_MARK = "…（已截断）"


def clean_text(value: str) -> str:
    """Drop control characters XML cannot hold and cut text to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value) if ILLEGAL_CHARACTERS_RE.search(value) else value
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return text


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read this text as a formula if it were not forced to text."""
    return text.startswith(FORMULA_TRIGGERS)


def plain_value(value: Any) -> Any:
    """Turn a value into one openpyxl writes as data: naive datetimes, floats for Decimal."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool | int | float | date) or value is None:
        return value
    return clean_text(str(value))


@lru_cache(maxsize=16384)  # names, roles and requirements recur in every workbook of a job
def display_width(text: str) -> int:
    """Width of the longest line in Excel character units: CJK and full-width count double."""
    widest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        widest = max(widest, width)
    return widest


def csv_safe(value: Any) -> str:
    """A CSV field for user data: text that could start a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if looks_like_formula(text) else text
