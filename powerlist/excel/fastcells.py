"""Cell formats of one workbook, created on first use and cached, and typed cell writes.

XlsxWriter formats belong to a workbook, so each workbook gets one `Formats`; their
properties (`styles`) are built once per process. Every body cell gets the body format
(wrapped, top-aligned, bordered), plus a number format or a text prefix where needed.
Text is always written with `write_string`: never turned into a formula, link or number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from powerlist.excel import styles
from powerlist.excel.cells import looks_like_formula

Key = tuple[str, bool, str | None, bool]  # (base, quote prefix, number format, flagged)


class Formats:
    """The formats one workbook uses, each added to the workbook once."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._formats: dict[Key, Any] = {}
        self._fills: dict[str, Any] = {}

    @property
    def workbook(self) -> Any:
        """The workbook these formats belong to."""
        return self._wb

    def get(
        self,
        base: str = "body",
        *,
        quote: bool = False,
        number_format: str | None = None,
        flagged: bool = False,
    ) -> Any:
        """The format `base` ("body", "header", "label", "title") with the given extras."""
        key = (base, quote, number_format, flagged)
        found = self._formats.get(key)
        if found is None:
            properties = dict(_BASES[base])
            if quote:
                properties["quote_prefix"] = True
            if number_format is not None:
                properties["num_format"] = number_format
            if flagged:
                properties.update(pattern=1, bg_color="#" + styles.FLAG_COLOR)
            found = self._formats[key] = self._wb.add_format(properties)
        return found

    def fill(self, color: str) -> Any:
        """A fill-only format for conditional formatting (colour RRGGBB)."""
        found = self._fills.get(color)
        if found is None:
            found = self._fills[color] = self._wb.add_format({"bg_color": "#" + color})
        return found

    def text(self, ws: Any, row: int, col: int, text: str, base: str = "body") -> None:
        """Write `text` as text; a leading = + - @ or tab gets the text prefix."""
        ws.write_string(row, col, text, self.get(base, quote=looks_like_formula(text)))

    def number(
        self, ws: Any, row: int, col: int, value: int | float | date, number_format: str
    ) -> None:
        """A number or date shown with `number_format`."""
        fmt = self.get(number_format=number_format)
        if isinstance(value, date):
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)
            ws.write_datetime(row, col, value, fmt)
        else:
            ws.write_number(row, col, value, fmt)


_BASES = {
    "body": styles.BODY,
    "header": styles.HEADER,
    "label": styles.LABEL,
    "title": styles.TITLE,
}
