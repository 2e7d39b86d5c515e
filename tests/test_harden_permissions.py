"""File permissions (issue 24 item 8): the SQLite database is 0600 and report folders 0700
even under a permissive umask, since both hold staff personal data."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from powerlist import db
from powerlist.artifacts import write_atomic

POWERLIST = str(Path(sys.executable).with_name("powerlist"))


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    database = tmp_path / "data" / "powerlist.db"
    engine = db.make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    assert _mode(database) == 0o600
    for companion in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        if companion.exists():
            assert _mode(companion) == 0o600, companion
    assert _mode(database.parent) == 0o700
    engine.dispose()


def test_db_upgrade_creates_the_database_0600(tmp_path: Path) -> None:
    database = tmp_path / "p.db"
    env = {**os.environ, "POWERLIST_DATABASE_URL": f"sqlite:///{database}"}
    done = subprocess.run([POWERLIST, "db", "upgrade"], env=env, capture_output=True, text=True,
                          timeout=120, preexec_fn=lambda: os.umask(0o022))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _mode(database) == 0o600


def test_report_folders_are_created_0700_and_files_0600(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "reports" / "yearly_review" / "2026" / "all" / "sthjj.xlsx"
    write_atomic(target, lambda temp: temp.write_bytes(b"x"))
    for folder in (target.parent, target.parent.parent, tmp_path / "reports"):
        assert _mode(folder) == 0o700, folder
    assert _mode(target) == 0o600
