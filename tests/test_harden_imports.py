"""Hardening of the list importer (issue 24): a sheet without a header in its scan window is
given up at once, and a header that lacks required columns writes no error workbook."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.imports import ImportRejected, import_file
from powerlist.imports.sources import HEADER_SCAN_MAX_ROWS, HEADER_SCAN_ROWS, NoTable, read_tables
from powerlist.settings import get_settings
from tests.fixtures_sheets import flat_xlsx, settings_env, streamed_sheet_xlsx, world

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


HOSTILE_ROWS = 200_000
STRINGS = 10_000
POISON = "<c><<not xml"  # parsing this far fails: no reader may reach it


def _junk_row(n: int) -> str:
    """One header-less row: a shared string, an inline string and a number."""
    return (
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n % STRINGS}</v></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>备注{n % 97}</t></is></c>'
        f'<c r="C{n}"><v>{n * 7919 % 100_003}</v></c></row>'
    )


def _blank_row(n: int) -> str:
    return f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>'


@pytest.fixture
def rows_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows the list reader took from openpyxl's sheet parser, counted as it reads."""
    from powerlist.imports import sources

    counted = [0]
    real = sources.sheet_rows

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for row in real(*args, **kwargs):  # type: ignore[arg-type]
            counted[0] += 1
            yield row

    monkeypatch.setattr(sources, "sheet_rows", counting)
    return counted


def test_a_200k_row_sheet_without_a_header_is_refused_after_the_window_only(
    world: Engine, tmp_path: Path, settings_env: object, rows_read: list[int]
) -> None:
    """No <dimension> (openpyxl then parsed the whole sheet on open), a shared-string table
    (parsed whole on open), and both end in malformed XML that no reader may reach."""
    path = streamed_sheet_xlsx(
        tmp_path / "无表头.xlsx",
        map(_junk_row, range(1, HOSTILE_ROWS)),
        (f"<si><t>数据{n}</t></si>" for n in range(STRINGS)),
        tail=POISON,
    )
    errors = tmp_path / "errors"
    with pytest.raises(ImportRejected) as caught, session_scope(world) as session:
        import_file(session, "items", path, error_dir=errors)
    assert "找不到表头" in caught.value.errors[0].message, caught.value.errors[0].message
    assert rows_read[0] == HEADER_SCAN_ROWS  # not one row past the window was parsed
    assert caught.value.error_workbook is None
    assert not errors.exists() or not any(errors.iterdir())


def test_a_sheet_of_blank_rows_is_given_up_after_the_blank_row_bound(
    tmp_path: Path, settings_env: object, rows_read: list[int]
) -> None:
    rows = map(_blank_row, range(1, HOSTILE_ROWS))
    blanks = streamed_sheet_xlsx(tmp_path / "空行.xlsx", rows, tail=POISON)
    with pytest.raises(NoTable, match="找不到表头"):
        read_tables(blanks, ITEM_HEADERS.__contains__)
    assert rows_read[0] == HEADER_SCAN_MAX_ROWS


def test_a_workbook_with_a_header_reads_shared_strings_and_dimension_as_before(
    tmp_path: Path, settings_env: object
) -> None:
    """The lazy string table and the head-only size give what openpyxl itself reads."""
    from openpyxl import load_workbook

    from powerlist.excel.reading import open_workbook

    header = "".join(
        f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCD")
    )  # fmt: skip
    rows = [f'<row r="1">{header}</row>', *map(_junk_row, range(2, 6000))]
    strings = [f"<si><t>{h}</t></si>" for h in sorted(ITEM_HEADERS)]
    strings += [f"<si><t>数据{n}</t></si>" for n in range(4, STRINGS)]
    path = streamed_sheet_xlsx(tmp_path / "有表头.xlsx", rows, strings)
    ours, theirs = open_workbook(path), load_workbook(path, read_only=True, data_only=True)
    try:
        mine = list(ours.worksheets[0].iter_rows(values_only=True))
        assert mine == list(theirs.worksheets[0].iter_rows(values_only=True))
        assert mine[0] == tuple(sorted(ITEM_HEADERS)) and mine[-1][0] == "数据5999"
    finally:
        ours.close()
        theirs.close()
