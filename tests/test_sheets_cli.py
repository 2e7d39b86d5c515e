"""`powerlist import KIND FILE [--dry-run]` as a liaison officer runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from powerlist import db
from powerlist.db import session_scope
from tests.fixtures_sheets import BAD_ROWS_CLI, make_world, published_list_xlsx

POWERLIST = str(Path(sys.executable).with_name("powerlist"))


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POWERLIST_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "POWERLIST_REPORTS_DIR": str(tmp_path / "reports"),
    }
    return subprocess.run(
        [POWERLIST, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _world(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with session_scope(engine) as session:
        make_world(session)
    engine.dispose()


def test_import_dry_run_then_import_then_again(tmp_path: Path) -> None:
    _world(tmp_path)
    path = published_list_xlsx(tmp_path / "清单.xlsx")

    dry = _run(tmp_path, "import", "items", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "试导入（未写入） 5 行——新增 5" in dry.stdout

    done = _run(tmp_path, "import", "items", str(path), "--json")
    assert json.loads(done.stdout)["created"] == 5

    again = _run(tmp_path, "import", "items", str(path))
    assert "该文件已导入过，未作任何改动" in again.stdout


def test_a_bad_file_exits_1_with_every_error_and_an_error_workbook(tmp_path: Path) -> None:
    _world(tmp_path)
    path = published_list_xlsx(tmp_path / "有错.xlsx", extra_rows=BAD_ROWS_CLI)

    result = _run(tmp_path, "import", "items", str(path))

    assert result.returncode == 1
    assert "共 1 处错误" in result.stderr
    assert "第12行 “B 权力类型”列：未知的权力类型“行政许可证”" in result.stderr
    book = result.stderr.split("错误清单（已标出错误单元格）：")[1].strip()
    assert openpyxl.load_workbook(book).sheetnames[:2] == ["说明", "权责清单"]


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    path = published_list_xlsx(tmp_path / "清单.xlsx")
    result = _run(tmp_path, "import", "stuff", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(
        "错误：没有“stuff”这种导入内容：可导入 departments、items、laws、catalog"
    )
    assert "Traceback" not in result.stderr
