"""Guards that no test defended before (issue 24 item 10): each test here fails when its guard
is removed (checked by removing it)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from powerlist.excel.reading import UnsafeFile, check_workbook_zip
from powerlist.imports.sources import read_tables
from powerlist.settings import get_settings
from tests.fixtures_sheets import flat_xlsx, settings_env

__all__ = ["settings_env"]
HEADERS = ["事项编码", "事项名称", "事项类型", "实施主体"]


def _rewrite(source: Path, target: Path, change: dict[str, bytes | None],
             add: dict[str, bytes] | None = None) -> Path:  # fmt: skip
    """Copy an .xlsx, replacing (or dropping, with None) members and adding new ones."""
    mode = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", mode) as new:
        for info in old.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    new.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
                continue
            new.writestr(info, old.read(info.filename))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def _plain(tmp_path: Path, rows: int = 3) -> Path:
    lines = [[str(n), f"事项{n}", "行政检查", "市生态环境局"] for n in range(rows)]
    return flat_xlsx(tmp_path / "plain.xlsx", HEADERS, lines)


def test_a_merge_drawn_over_the_whole_sheet_leaves_the_data_alone(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    plain = _plain(tmp_path)
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    merged = sheet.replace(
        b"</sheetData>",
        b'</sheetData><mergeCells count="1"><mergeCell ref="C2:XFD1048576"/></mergeCells>',
    )
    assert merged != sheet
    path = _rewrite(plain, tmp_path / "merged.xlsx", {"xl/worksheets/sheet1.xml": merged})
    (table,) = read_tables(path, set(HEADERS).__contains__)
    cap = get_settings().import_max_columns
    assert len(table.headers) <= cap
    assert all(len(values) <= cap for _, values in table.rows)
    assert [values[2] for _, values in table.rows] == ["行政检查"] * 3
    assert [values[3] for _, values in table.rows] == ["市生态环境局"] * 3  # not overwritten


def test_a_merge_from_the_last_column_to_xfd_fills_only_up_to_the_column_cap(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    plain = _plain(tmp_path)
    with zipfile.ZipFile(plain) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    merged = sheet.replace(  # nothing right of D2 holds a value: the merge is filled, not skipped
        b"</sheetData>",
        b'</sheetData><mergeCells count="1"><mergeCell ref="D2:XFD2"/></mergeCells>',
    )
    assert merged != sheet
    path = _rewrite(plain, tmp_path / "merged.xlsx", {"xl/worksheets/sheet1.xml": merged})
    (table,) = read_tables(path, set(HEADERS).__contains__)
    cap = get_settings().import_max_columns
    widths = [len(values) for _, values in table.rows]
    assert max(widths) <= cap, f"a merged range filled {max(widths):,} columns"
    assert [values[3] for _, values in table.rows] == ["市生态环境局"] * 3


def test_total_unpacked_size_is_refused_even_when_every_part_compresses_little(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    import os

    settings_env.setenv("POWERLIST_IMPORT_MAX_UNCOMPRESSED_BYTES", str(2 * 2**20))
    get_settings.cache_clear()
    noise = {f"xl/media/image{n}.bin": os.urandom(600 * 1024) for n in range(5)}  # ratio ≈ 1
    path = _rewrite(_plain(tmp_path), tmp_path / "big.xlsx", {}, noise)
    with pytest.raises(UnsafeFile, match="解压后过大"):
        check_workbook_zip(path)


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/passwd", "xl\\..\\..\\evil.xml"])
def test_part_names_that_escape_the_package_are_refused(
    tmp_path: Path, settings_env: object, name: str
) -> None:
    path = _rewrite(_plain(tmp_path), tmp_path / "names.xlsx", {}, {name: b"<x/>"})
    with pytest.raises(UnsafeFile, match="不安全的部件名"):
        check_workbook_zip(path)


def test_a_package_with_too_many_parts_is_refused(tmp_path: Path, settings_env: object) -> None:
    many = {f"xl/custom/part{n}.xml": b"<x/>" for n in range(2_000)}
    path = _rewrite(_plain(tmp_path), tmp_path / "many.xlsx", {}, many)
    with pytest.raises(UnsafeFile, match="个部件，超过上限"):
        check_workbook_zip(path)


def test_columns_past_the_cap_are_not_read(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("POWERLIST_IMPORT_MAX_COLUMNS", "6")
    get_settings.cache_clear()
    wide = [*HEADERS, *[f"列{n}" for n in range(50)]]
    path = flat_xlsx(tmp_path / "wide.xlsx", wide, [["1", "事项", "行政检查", "局", *range(50)]])
    (table,) = read_tables(path, set(HEADERS).__contains__)
    assert len(table.headers) == 6 and len(table.rows[0][1]) <= 6
