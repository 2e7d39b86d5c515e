"""The rows under a found header are read by python-calamine: the same values, row numbers,
merged cells and dates as openpyxl's own parser gives, and openpyxl reads on if calamine fails."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from powerlist.imports import sources
from powerlist.imports.kinds.registry import kind_named
from powerlist.imports.sources import RawTable, read_tables
from tests.fixtures_sheets import published_list_xlsx, settings_env

__all__ = ["settings_env"]


def _mixed_xlsx(path: Path) -> Path:
    """Title rows, a merged header, and cells of every type a department's list holds."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "权责清单"
    ws.append(["某局权责清单"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["项目编码", "项目名称", "权力类型", "实施主体", "设定日期", "受理数"])
    ws.append([3302170001, "许可A", "行政许可", "某局", datetime(2026, 3, 1), 12])
    ws.append(["0012", "  许可B\u3000", "行政许可", "某局", date(2025, 1, 2), 12.5])
    ws.append([None, "许可C", None, "", datetime(2026, 3, 1, 9, 30), True])
    ws.merge_cells("C6:C8")
    ws.append(["X1", "许可D", None, "某局", "2026-03-01", 0])
    ws.append([1.0e20, "许可E", None, "某局", None, -3])
    ws["H9"] = "最右"
    ws.append([])
    ws.append(["注：本表按年度更新"])
    book.save(path)
    return path


def _read(path: Path) -> list[RawTable]:
    return read_tables(path, kind_named("items").catalog.is_header)


@pytest.mark.parametrize("make", [_mixed_xlsx, published_list_xlsx], ids=["mixed", "published"])
def test_calamine_rows_equal_openpyxl_rows(
    tmp_path: Path, settings_env: pytest.MonkeyPatch, make: object
) -> None:
    path = make(tmp_path / "清单.xlsx")  # type: ignore[operator]
    used: list[str] = []
    real = sources.FastSheets.rows

    def spy(self: sources.FastSheets, title: str, *args: object) -> object:
        used.append(title)
        return real(self, title, *args)  # type: ignore[arg-type]

    settings_env.setattr(sources.FastSheets, "rows", spy)
    fast = _read(path)
    assert used, "calamine did not read the rows"
    settings_env.setattr(sources._FastOnce, "rows", lambda *args: None)
    slow = _read(path)
    assert [(t.sheet, t.headers, t.rows) for t in fast] == [
        (t.sheet, t.headers, t.rows) for t in slow
    ]
    assert any(len(t.rows) > 2 for t in fast)


def test_openpyxl_reads_on_when_calamine_cannot(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    path = _mixed_xlsx(tmp_path / "清单.xlsx")
    expected = _read(path)

    def broken(*args: object) -> None:
        raise ValueError("calamine cannot read this")

    settings_env.setattr(sources, "FastSheets", broken)
    assert [t.rows for t in _read(path)] == [t.rows for t in expected]
