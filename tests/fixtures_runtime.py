"""Fixtures for the runtime tests: a tiny named world of departments and a control folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.models import Department
from tests import jobs_for_tests

DEPARTMENTS = {"D01": "市司法局", "D02": "市生态环境局", "D03": "市市场监督管理局"}


def add_departments(engine: Engine, codes: dict[str, str] = DEPARTMENTS) -> None:
    """Insert the tiny world's departments."""
    with session_scope(engine) as session:
        for code, name in codes.items():
            session.add(Department(code=code, name=name, level="市"))


@pytest.fixture
def control(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test job's control folder (also exported for worker subprocesses)."""
    folder = tmp_path / "control"
    folder.mkdir()
    monkeypatch.setenv(jobs_for_tests.CONTROL_ENV, str(folder))
    return folder


def log_lines(control: Path) -> list[tuple[str, str]]:
    """(unit, event) pairs from the test job's log."""
    path = control / "log"
    if not path.exists():
        return []
    return [(line.split()[0], line.split()[2]) for line in path.read_text().splitlines()]


def starts(control: Path, unit: str) -> int:
    """How many times `unit` started."""
    return sum(1 for u, event in log_lines(control) if u == unit and event == "start")
