"""Broker down (issue 24 item 5): `run --queue` and POST /api/runs fail within about the health
timeout with a clear message, and the run is marked failed, not left "queued"."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.api import create_app
from powerlist.models import Run
from powerlist.settings import get_settings
from tests.fixtures_http import HttpWorld, http_env, make_http_world
from tests.fixtures_runtime import add_departments

__all__ = ["http_env"]
POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _runs(engine: Engine) -> list[tuple[str, str, str | None]]:
    with db.session_scope(engine) as s:
        return [(r.period, r.status, r.error) for r in s.scalars(select(Run).order_by(Run.id))]


def test_run_queue_with_the_broker_down_fails_fast_with_a_chinese_message(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(sqlite_url)
    add_departments(engine)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POWERLIST_DATABASE_URL": sqlite_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path / "reports"),
        "POWERLIST_EXTRA_JOB_MODULES": "tests.jobs_for_tests",
        "POWERLIST_BROKER_URL": DEAD_BROKER,
        "POWERLIST_HEALTH_TIMEOUT": "1",
    }
    started = time.monotonic()
    result = subprocess.run(
        [POWERLIST, "run", "test_reports", "--period", "2026", "--queue"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "消息队列（Redis）不可达" in result.stderr and "#1 已标记为失败" in result.stderr
    assert elapsed < 15, elapsed  # was 22 s of kombu retries before the traceback
    [(period, status, error)] = _runs(engine)
    assert (period, status) == ("2026", "failed") and "Redis" in (error or "")
    engine.dispose()


@pytest.fixture
def queue_client(
    engine: Engine, http_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, HttpWorld]]:
    world = make_http_world(engine, http_env)
    monkeypatch.setenv("POWERLIST_API_RUN_MODE", "queue")
    monkeypatch.setenv("POWERLIST_BROKER_URL", DEAD_BROKER)
    monkeypatch.setenv("POWERLIST_HEALTH_TIMEOUT", "0.5")
    get_settings.cache_clear()
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client, world


def test_post_runs_with_the_broker_down_answers_503_and_marks_the_run_failed(
    queue_client: tuple[TestClient, HttpWorld],
) -> None:
    client, world = queue_client
    answer = client.post(
        "/api/runs", json={"job": "yearly_review", "period": "2027"}, headers=world.auth("admin")
    )
    assert answer.status_code == 503, answer.text
    assert "消息队列（Redis）不可达" in answer.json()["detail"]
    assert _runs(world.engine)[-1][:2] == ("2027", "failed")
    # the failed run does not block a retry once Redis is back: the key is not "queued"
    with db.session_scope(world.engine) as s:
        assert s.scalar(select(Run).where(Run.period == "2027")).finished_at is not None
