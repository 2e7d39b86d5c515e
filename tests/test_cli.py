"""The command line as a user runs it: the installed `powerlist` script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

POWERLIST = str(Path(sys.executable).with_name("powerlist"))


def run(*args: str, db_url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POWERLIST_DATABASE_URL": db_url}
    return subprocess.run(
        [POWERLIST, *args], env=env, capture_output=True, text=True, check=check, timeout=120
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli')}/cli.db"
    result = run("demo", db_url=url)
    assert "  事项：6834" in result.stdout
    assert "  取消、下放和委托事项：891" in result.stdout
    figures = [line for line in result.stdout.splitlines() if "预置问题" not in line]
    assert not any(c.isascii() and c.isalpha() for line in figures for c in line)
    assert "依据已废止" in result.stdout  # planted defects by their Chinese names
    return url


def test_every_command_has_help() -> None:
    for args in (["--help"], ["db", "--help"], ["db", "upgrade", "--help"], ["demo", "--help"],
                 ["items", "list", "--help"], ["departments", "list", "--help"]):  # fmt: skip
        result = subprocess.run([POWERLIST, *args], capture_output=True, text=True, check=True)
        assert "Usage" in result.stdout


def test_items_of_one_department_as_json(demo_db: str) -> None:
    result = run("items", "list", "--department", "市生态环境局", "--json", db_url=demo_db)
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) > 100
    assert {i["department"] for i in items} == {"包头市生态环境局"}
    first = items[0]
    assert {"code", "name", "sub_item", "category", "status", "legal_bases"} <= set(first)
    assert first["legal_bases"][0]["title"].startswith("《")


def test_department_found_by_code_and_table_output(demo_db: str) -> None:
    result = run("items", "list", "-d", "sthjj", "--limit", "3", db_url=demo_db)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("事项编码")
    assert len(lines) == 1 + 3 + 1  # header, three rows, the hint about --limit


def test_unknown_department_is_a_clear_error(demo_db: str) -> None:
    result = run("items", "list", "-d", "市不存在局", db_url=demo_db, check=False)
    assert result.returncode == 2
    assert "找不到部门“市不存在局”" in result.stderr


def test_departments_as_json(demo_db: str) -> None:
    departments = json.loads(run("departments", "list", "--json", db_url=demo_db).stdout)
    assert len(departments) == 53
    merged = [d for d in departments if d["merged_into"]]
    assert {d["merged_into"] for d in merged} == {"包头市发展和改革委员会", "包头市农牧局"}


def test_demo_refuses_to_mix_with_existing_data(demo_db: str) -> None:
    result = run("demo", db_url=demo_db, check=False)
    assert result.returncode == 2
    assert "--reset" in result.stderr


def test_db_upgrade_creates_a_fresh_sqlite_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "fresh.db"
    run("db", "upgrade", db_url=f"sqlite:///{target}")
    assert target.exists()
