"""Shared helpers of the HTTP tests: the review's tiny world, reviewed, with a token per role.

sthjj (包头市生态环境局) and lcj (包头市林业和草原局) each have a department token; there is an
administrator token, an expired one and a revoked one. Reports live under the test's own
POWERLIST_REPORTS_DIR.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import ApiToken, Report
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import limits_from
from powerlist.settings import get_settings
from powerlist.tokens import create_token, revoke_token
from tests.fixtures_review import at_as_of, build_world
from tests.sheet_table import HEADER_ROW, header_of


@dataclass
class HttpWorld:
    """The reviewed world, its reports folder and tokens by name."""

    engine: Engine
    reports_dir: Path
    run_id: int
    ids: dict[str, int]
    tokens: dict[str, str]
    reports: dict[str, int]  # "sthjj", "lcj", "summary" → Report id

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a named token."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def http_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Settings from a monkeypatched environment: reports under tmp_path, runs in-process."""
    reports = tmp_path / "reports"
    monkeypatch.setenv("POWERLIST_REPORTS_DIR", str(reports))
    monkeypatch.setenv("POWERLIST_API_RUN_MODE", "in_process")
    monkeypatch.setenv("POWERLIST_REVIEW_AS_OF", "2026-11-01")
    get_settings.cache_clear()
    yield reports
    get_settings.cache_clear()


def make_http_world(engine: Engine, reports_dir: Path) -> HttpWorld:
    """Build and review the tiny world, and issue the named tokens."""
    ids = build_world(engine)
    settings = get_settings()
    with at_as_of():
        claim = start_run(engine, "yearly_review", "2026", "all", trigger="test")
        view = run_in_process(engine, claim, limits=limits_from(settings), reports_root=reports_dir)
    assert view.status == "succeeded", view.error
    tokens: dict[str, str] = {}
    with db.session_scope(engine) as s:
        tokens["sthjj"], _ = create_token(s, department_code="sthjj")
        tokens["lcj"], _ = create_token(s, department_code="lcj")
        tokens["admin"], _ = create_token(s, admin=True)
        tokens["revoked"], revoked_id = create_token(s, department_code="sthjj")
        revoke_token(s, revoked_id)
        tokens["expired"], expired_id = create_token(s, department_code="sthjj", expires_days=1)
        row = s.get(ApiToken, expired_id)
        assert row is not None and row.expires_at is not None
        row.expires_at -= timedelta(days=2)
        reports = {
            "sthjj" if r.department_id == ids["sthjj"] else
            "lcj" if r.department_id == ids["lcj"] else "summary": r.id
            for r in s.scalars(select(Report).where(Report.run_id == view.id))
        }  # fmt: skip
    return HttpWorld(engine, reports_dir, view.id, ids, tokens, reports)


def fill_review(source: Path, target: Path, decisions: dict[str, tuple[str, ...]]) -> Path:
    """Fill 部门意见 by item code (意见, 理由[, 依据/文件]) as a person would, and save a copy."""
    workbook = load_workbook(source)
    sheet = workbook["审核事项"]
    header = header_of(sheet)
    code_col = header.index("项目编码") + 1
    columns = [header.index(h) + 1 for h in ("部门意见", "说明/理由", "依据/文件")]
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        code = sheet.cell(row, code_col).value
        for column, value in zip(columns, decisions.get(code, ()), strict=False):
            sheet.cell(row, column, value)
    workbook.save(target)
    return target
