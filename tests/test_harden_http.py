"""Hardening of the HTTP surface (issue 24): ids beyond the database's range, parallel uploads
of one workbook, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.api import create_app
from powerlist.api.deps import COOKIE_NAME
from powerlist.models import ImportRecord
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world

__all__ = ["http_env"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HUGE = "99999999999999999999999"


@pytest.fixture
def world(engine: Engine, http_env: Path) -> HttpWorld:
    return make_http_world(engine, http_env)


@pytest.fixture
def client(world: HttpWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        f"/api/reports/{HUGE}/download",
        f"/api/runs/{HUGE}",
        "/api/runs/9223372036854775808",
        "/api/runs/2147483648",
        "/api/reports/-1/download",
    ],
)
def test_ids_beyond_the_databases_range_are_refused_not_500(
    client: TestClient, world: HttpWorld, path: str
) -> None:
    answer = client.get(path, headers=world.auth("admin"))
    assert answer.status_code in (404, 422), answer.text


@pytest.mark.parametrize("report_id", [HUGE, "2147483648", "0"])
def test_portal_download_of_a_huge_id_is_refused_not_500(
    client: TestClient, world: HttpWorld, report_id: str
) -> None:
    client.cookies.set(COOKIE_NAME, world.tokens["admin"])
    answer = client.get(f"/portal/reports/{report_id}/download")
    assert answer.status_code in (404, 422), answer.text


def test_parallel_uploads_of_one_workbook_answer_already_imported(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    source = tmp_path / "sthjj.xlsx"
    source.write_bytes(
        client.get(
            f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("sthjj")
        ).content
    )
    data = fill_review(source, tmp_path / "filled.xlsx", {"CF004": ("取消", "无法律依据")})
    body = data.read_bytes()
    start = threading.Barrier(5)
    answers: list[tuple[int, str]] = []

    def upload() -> None:
        start.wait()
        answer = client.post(
            "/api/uploads/review",
            files={"file": ("filled.xlsx", body, XLSX)},
            headers=world.auth("sthjj"),
        )
        answers.append((answer.status_code, answer.json().get("status", answer.text)))

    threads = [threading.Thread(target=upload) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [(200, "already_imported")] * 4 + [(200, "applied")], answers
    with db.session_scope(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportRecord)) >= 1
