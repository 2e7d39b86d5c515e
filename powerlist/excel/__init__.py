"""The report style every powerlist workbook uses, and safe reading of uploaded workbooks.

Build a workbook from `TableSheet`s of `Column`s with `build_workbook`; it gets Chinese
headers, a frozen header row, auto-filter, CJK-fitted widths, A4 landscape print setup, a
说明 (notes) sheet, drop-downs, status colours, and user text that never becomes a formula.
"""

from powerlist.excel.cells import csv_safe, display_width, looks_like_formula
from powerlist.excel.layout import (
    BAD,
    FIRST_DATA_ROW,
    GOOD,
    INFO,
    MUTED,
    WARN,
    BarChartSpec,
    Column,
    Flagged,
    Formula,
    TableSheet,
    WorkbookInfo,
    WrittenWorkbook,
)
from powerlist.excel.metadata import METADATA_SHEET, MetadataError, read_metadata
from powerlist.excel.records import report_for
from powerlist.excel.writer import NOTES_SHEET, build_workbook

__all__ = [
    "BAD",
    "FIRST_DATA_ROW",
    "GOOD",
    "INFO",
    "METADATA_SHEET",
    "MUTED",
    "NOTES_SHEET",
    "WARN",
    "BarChartSpec",
    "Column",
    "Flagged",
    "Formula",
    "MetadataError",
    "TableSheet",
    "WorkbookInfo",
    "WrittenWorkbook",
    "build_workbook",
    "csv_safe",
    "display_width",
    "looks_like_formula",
    "read_metadata",
    "report_for",
]
