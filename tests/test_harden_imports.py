"""Hardening of the list importer (issue 24): a sheet without a header in its scan window is
given up at once, and a header that lacks required columns writes no error workbook."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.imports import ImportRejected, import_file
from powerlist.imports.sources import HEADER_SCAN_ROWS, NoTable, read_tables
from powerlist.settings import get_settings
from tests.fixtures_sheets import flat_xlsx, settings_env, world

__all__ = ["settings_env", "world"]
ITEM_HEADERS = {"事项编码", "事项名称", "事项类型", "实施主体"}


def _junk(rows: int) -> list[list[object]]:
    return [[f"数据{n}", n, f"备注{n % 7}"] for n in range(rows)]


def test_a_sheet_without_a_header_in_the_window_is_given_up_before_the_row_cap(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("POWERLIST_IMPORT_MAX_ROWS", "100")
    get_settings.cache_clear()
    path = flat_xlsx(tmp_path / "无表头.xlsx", ["甲", "乙", "丙"], _junk(1000))
    # read whole, this sheet would hit the 100-row cap; given up early it has no header
    with pytest.raises(NoTable, match="找不到表头"):
        read_tables(path, ITEM_HEADERS.__contains__)


def test_a_csv_without_a_header_in_the_window_is_given_up_before_the_row_cap(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("POWERLIST_IMPORT_MAX_ROWS", "100")
    get_settings.cache_clear()
    path = tmp_path / "无表头.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["甲", "乙", "丙"], *_junk(1000)])
    with pytest.raises(NoTable, match="找不到表头"):
        read_tables(path, ITEM_HEADERS.__contains__)


def test_a_header_just_inside_the_window_is_still_found(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("POWERLIST_IMPORT_MAX_ROWS", "100")
    get_settings.cache_clear()
    titles = [[f"标题说明{n}"] for n in range(HEADER_SCAN_ROWS - 1)]
    path = flat_xlsx(tmp_path / "x.xlsx", ["权责清单"], [*titles[1:], sorted(ITEM_HEADERS),
                                                         ["1", "2", "3", "4"]])  # fmt: skip
    (table,) = read_tables(path, ITEM_HEADERS.__contains__)
    assert set(table.headers) == ITEM_HEADERS and len(table.rows) == 1


def test_a_header_lacking_required_columns_writes_no_error_workbook(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    rows = [[str(n), f"某事项{n}", "行政检查"] for n in range(500)]
    path = flat_xlsx(tmp_path / "y.xlsx", ["事项编码", "事项名称", "事项类型"], rows)
    errors = tmp_path / "errors"
    with pytest.raises(ImportRejected) as caught, session_scope(world) as session:
        import_file(session, "items", path, error_dir=errors)
    assert caught.value.error_workbook is None
    assert "缺少必填列" in caught.value.errors[0].message
    assert not errors.exists() or not any(errors.iterdir())
