"""The grade-distribution chart of the city summary (the shared style writes no charts)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from powerlist.artifacts import write_atomic
from powerlist.excel import WrittenWorkbook


def add_bar_chart(
    written: WrittenWorkbook, sheet: str, title: str, series_columns: int, rows: int
) -> WrittenWorkbook:
    """Add a stacked bar chart of columns 2..1+series_columns by the first column of `sheet`.

    The workbook is small (one row per department), so it is reopened, the chart placed
    right of the table, and saved again atomically.
    """

    def write(temp: Path) -> None:
        wb = load_workbook(written.path)
        ws = wb[sheet]
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = title
        chart.height = max(8.0, 0.5 * rows)
        chart.width = 24.0
        data = Reference(ws, min_col=2, max_col=1 + series_columns, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        ws.add_chart(chart, f"{get_column_letter(ws.max_column + 2)}2")
        wb.save(temp)

    artifact = write_atomic(written.path, write)
    return WrittenWorkbook(artifact.path, artifact.sha256, artifact.bytes, written.rows)
